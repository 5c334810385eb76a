from django.core.management.base import BaseCommand
from django.utils import timezone

from demo import data as demo


class Command(BaseCommand):
    help = "Build a demo town (villages, departments, one account per role, rosters, nominations)."

    def handle(self, *args, **options):
        if demo.exists():
            self.stdout.write("演示数据已存在，未重复创建。")
            return
        logins = demo.build(today=timezone.localdate())
        self.stdout.write(self.style.SUCCESS("已创建演示数据：青山镇，12个村（社区），12个联审部门。"))
        self.stdout.write(f"所有演示账号的密码：{demo.DEMO_PASSWORD}")
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<8} {role:<8} {unit}")
