def test_login_page_answers_in_chinese(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "村级后备干部选拔培养管理系统" in response.content.decode()
