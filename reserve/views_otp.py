"""The second factor's pages: enrol an authenticator app, give its code after the password, remove it."""

import django_otp
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reserve.qr import qr_data_uri

from . import otp


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("动态验证码"), min_length=6, max_length=8,
        help_text=gettext_lazy("手机验证器上当前显示的6位数字"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("验证码是6位数字。"))
        return token


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _refused(form, throttled):
    if throttled:
        form.add_error("token", _("验证码错误次数过多，请稍等片刻再试。"))
    else:
        form.add_error("token", _("验证码不正确或已使用过，请输入验证器上当前显示的验证码。"))


@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol an authenticator app (QR code or the key typed by hand, then one code), or see that one is set."""
    user = request.user
    required = otp.requirement(user)  # who requires it, as the page says; "" when nobody does
    device = otp.confirmed_device(user)
    if device is not None:
        return render(request, "registration/otp_status.html", {
            "device": device, "required": required, "form": TokenForm(),
        })
    device = otp.pending_device(user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accepted, throttled = otp.check_token(device, form.cleaned_data["token"])
        if accepted:
            otp.enrol(device)
            django_otp.login(request, device)
            messages.success(request, _("已启用两步验证。以后每次登录，输入密码后还须输入验证器上的动态验证码。"))
            return redirect(_next_url(request) or "home")
        _refused(form, throttled)
    return render(request, "registration/otp_setup.html", {
        "form": form, "required": required, "next": _next_url(request),
        "qr": qr_data_uri(device.config_url), "uri": device.config_url, "secret": otp.secret_text(device),
    })


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """After the password: the code of the user's authenticator app, once per session."""
    user = request.user
    device = otp.confirmed_device(user)
    if device is None or otp.is_verified(user):
        return redirect(_next_url(request) or "home")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accepted, throttled = otp.check_token(device, form.cleaned_data["token"])
        if accepted:
            django_otp.login(request, device)
            request.session.cycle_key()
            return redirect(_next_url(request) or "home")
        _refused(form, throttled)
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request)})


@require_POST
def otp_disable(request):
    """Remove the authenticator app, with a current code; not where the town requires one."""
    user = request.user
    device = otp.confirmed_device(user)
    if device is None:
        return redirect("otp_setup")
    required = otp.requirement(user)
    if required:
        messages.error(request, _("%(required)s，不能停用。更换手机请联系系统管理员。") % {"required": required})
        return redirect("otp_setup")
    form = TokenForm(request.POST)
    if form.is_valid():
        accepted, throttled = otp.check_token(device, form.cleaned_data["token"])
        if accepted:
            otp.remove_devices(user)
            messages.success(request, _("已停用两步验证。"))
            return redirect("otp_setup")
        _refused(form, throttled)
    return render(request, "registration/otp_status.html", {"device": device, "required": False, "form": form})
