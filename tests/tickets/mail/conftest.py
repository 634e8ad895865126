from __future__ import annotations

from email.message import EmailMessage

import pytest

from tickets.mail.models import Mailbox

SUPPORT = "support@help.example.com"


@pytest.fixture
def mailbox(queue):
    return Mailbox.objects.create(queue=queue, address=SUPPORT, display_name="Acme Support")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Originals and attachments are written under a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def make_mail(
    *,
    sender: str = "Anna Kunde <anna@customer.example>",
    to: str = SUPPORT,
    subject: str = "My invoice is wrong",
    body: str = "Hello, I was charged twice for December.",
    message_id: str | None = "<first.1@customer.example>",
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    if message_id:
        mail["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        mail[name] = value
    if html is not None and not body:
        mail.set_content(html, subtype="html")
    else:
        mail.set_content(body)
        if html is not None:
            mail.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/", 1)
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(mail)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1, and Django's SMTP backend pointed at it.
    Yields the list of received envelopes (``mail_from``, ``rcpt_tos``, ``content``)."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()


DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = kimondesk-test-{port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
first_valid_gid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@pytest.fixture
def imap_server():
    """A private Dovecot (Debian's dovecot-imapd) on a free port of 127.0.0.1, with its own
    config folder and a passwd-file user ``support``/``imap-secret`` under a temporary folder;
    nothing system-wide is touched. Stopped after the test."""
    import contextlib
    import os
    import pwd
    import shutil
    import signal
    import subprocess
    import time

    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )
    if binary is None:
        pytest.fail("dovecot is not installed: apt-get install dovecot-imapd (.ci/run does)")
    import tempfile
    from pathlib import Path

    # Not under pytest's own temporary folder (mode 700): the mail process runs as another user.
    root = Path(tempfile.mkdtemp(prefix="kimondesk-dovecot-"))
    root.chmod(0o755)
    for folder in ("run", "state", "home"):
        (root / folder).mkdir()
    if os.geteuid() == 0:
        # Mail is never stored as root: the mailbox belongs to "nobody".
        nobody = pwd.getpwnam("nobody")
        uid, gid, users = nobody.pw_uid, nobody.pw_gid, ""
        os.chown(root / "home", uid, gid)
    else:
        me = pwd.getpwuid(os.geteuid()).pw_name
        uid, gid = os.geteuid(), os.getegid()
        users = f"default_login_user = {me}\ndefault_internal_user = {me}\n"
    (root / "passwd").write_text("support:{PLAIN}imap-secret\n")
    import socket

    def started(port: int) -> bool:
        """Start dovecot on ``port`` and wait until it answers; False if it does not."""
        conf = root / "dovecot.conf"
        conf.write_text(DOVECOT_CONF.format(root=root, port=port, uid=uid, gid=gid, users=users))
        if subprocess.run([binary, "-c", str(conf)], timeout=30, check=False).returncode != 0:
            return False
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            # Up once it answers and has written its pid file (the teardown needs the pid).
            if (root / "run" / "master.pid").exists():
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    return True
                except OSError:
                    pass
            time.sleep(0.05)
        return False

    # A free port can be taken by another process before dovecot binds it: try another.
    for _ in range(3):
        port = free_port()
        if started(port):
            break
        pid_file = root / "run" / "master.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            time.sleep(0.5)
    else:
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"dovecot did not start: {log}")
    try:
        yield {"host": "127.0.0.1", "port": port, "username": "support", "password": "imap-secret"}
    finally:
        pid = int((root / "run" / "master.pid").read_text().strip())
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        shutil.rmtree(root, ignore_errors=True)
