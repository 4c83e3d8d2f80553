"""Texts about people: accounts, passwords, tokens, guests, and signing in with a
directory or an OpenID Connect provider.

One part of the catalog chat/i18n/__init__.py looks keys up in: each key once,
as (English, 简体中文).
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # identity
    "auth_required": ("Authentication credentials were not provided", "未提供认证令牌"),
    "token_invalid": ("Invalid or expired token", "令牌无效或已过期"),
    "bad_credentials": ("Incorrect username or password", "用户名或密码错误"),
    "export_busy": (
        "Other exports are running: try again in a minute",
        "其他导出正在进行，请稍后再试",
    ),
    "too_many_attempts": (
        "Too many failed attempts, try again in {seconds} seconds",
        "失败次数过多，请 {seconds} 秒后重试",
    ),
    "registration_closed": ("Registration is disabled on this server", "本服务器已关闭注册"),
    "username_invalid": (
        "Username must be 1–32 letters, digits, '_', '.' or '-'",
        "用户名必须是 1–32 个字母、数字、'_'、'.' 或 '-'",
    ),
    "username_taken": ("That username is taken", "该用户名已被占用"),
    "password_short": ("Password must be at least 8 characters", "密码至少需要 8 个字符"),
    "password_blank": (
        "Password must not be only spaces or control characters",
        "密码不能只包含空白或控制字符",
    ),
    "old_password_wrong": ("The old password is not correct", "原密码不正确"),
    "user_not_found": ("User not found", "用户不存在"),
    "account_deactivated": ("This account has been deactivated", "该账号已被停用"),
    "admin_self": (
        "Site admins cannot demote or deactivate themselves",
        "管理员不能取消自己的管理员身份或停用自己",
    ),
    "avatar_too_big": (
        "The image is too large (more than {limit} pixels)",
        "图片过大（超过 {limit} 像素）",
    ),
    "admin_only": ("Only site administrators may do this", "只有管理员可以执行此操作"),
    "too_many_tokens": (
        "At most {limit} API tokens per user: revoke one first",
        "每个用户最多 {limit} 个 API 令牌，请先撤销一个",
    ),
    "cross_origin_write": (
        "A cookie-authenticated change must come from this site (Origin)",
        "使用 Cookie 认证的修改请求必须来自本站（Origin）",
    ),
    "tokens_need_login": (
        "API tokens are managed from a signed-in session, not with an API token",
        "API 令牌只能在登录会话中管理，不能用 API 令牌管理",
    ),
    "auth_other_user": ("That token belongs to another user", "该令牌属于其他用户"),
    # sign-in with a directory or an OpenID Connect provider
    "directory_unavailable": (
        "The company directory is not reachable, try again later",
        "无法连接公司目录，请稍后重试",
    ),
    "account_disabled": (
        "This account is disabled in the company directory",
        "该账号已在公司目录中停用",
    ),
    "identity_name_taken": (
        "A Teahouse account named '{username}' already exists; ask an administrator to "
        "link it to your company account",
        "已存在名为 '{username}' 的 Teahouse 账号，请联系管理员将其与公司账号关联",
    ),
    "identity_linked": (
        "This account already has a link to that sign-in provider",
        "该账号已关联此登录方式",
    ),
    "provider_unknown": (
        "No sign-in provider named '{name}' is configured",
        "未配置名为 '{name}' 的登录方式",
    ),
    "local_login_off": (
        "Sign in with your company account: local passwords are turned off",
        "请使用公司账号登录：本地密码已停用",
    ),
    "password_external": (
        "Your password is managed by your company account",
        "您的密码由公司账号管理",
    ),
    "oidc_failed": (
        "Sign-in with {provider} failed, try again",
        "通过 {provider} 登录失败，请重试",
    ),
    "oidc_unavailable": (
        "{provider} is not reachable, try again later",
        "无法连接 {provider}，请稍后重试",
    ),
    "signin_expired": (
        "The sign-in took too long or was already used, try again",
        "登录已超时或已使用，请重试",
    ),
}
