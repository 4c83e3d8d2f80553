"""A real OpenLDAP slapd for the directory tests: its own config, database and port
in a temporary folder, seeded with people and groups by slapadd, stopped by PID.

Debian packages: slapd (the server, /usr/sbin/slapd) and ldap-utils. Under CI=true a
missing slapd fails the tests instead of skipping them.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ldap3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.serverproc import free_port

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
SUFFIX = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"
SERVICE_DN = f"cn=teahouse-bind,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
ALLOWED_GROUP = f"cn=chat-users,{GROUPS}"
ADMIN_GROUP = f"cn=chat-admins,{GROUPS}"
ALUMNI = f"ou=alumni,{SUFFIX}"  # outside the user base

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
# Active Directory's objectGUID (its OID, 16 octets), so the binary-id path runs against
# a real server too.
attributetype ( 1.2.840.113556.1.4.2 NAME 'objectGUID' EQUALITY octetStringMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload refint
database mdb
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {dir}/db
maxsize 16777216
# As a production directory would: the re-check searches by entryUUID, sign-in by uid.
index objectClass,entryUUID,uid eq
TLSCertificateFile {dir}/server.pem
TLSCertificateKeyFile {dir}/server.key
access to attrs=userPassword by self write by anonymous auth by * none
access to * by dn.exact="{service_dn}" read by self read by anonymous none by * none
# A renamed or deleted person's group memberships follow, as in a real directory.
overlay refint
refint_attributes member uniqueMember
database monitor
access to * by dn.exact="{root_dn}" read by * none
"""


def person(uid: str, name: str, password: str, extra: str = "") -> str:
    return (
        f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\n"
        f"sn: {name.split()[-1]}\ndisplayName: {name}\nmail: {uid}@example.org\n"
        f"userPassword: {password}\n{extra}\n"
    )


DISABLED = "employeeType: disabled\n"
SEED = f"""\
dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Example
dc: example

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: ou=services,{SUFFIX}
objectClass: organizationalUnit
ou: services

dn: {ALUMNI}
objectClass: organizationalUnit
ou: alumni

dn: {SERVICE_DN}
objectClass: person
cn: teahouse-bind
sn: bind
userPassword: {SERVICE_PASSWORD}

{person("jane", "Jane Doe", "jane-password")}
{person("ken", "Ken Admin", "ken-password")}
{person("olga", "Olga Outsider", "olga-password")}
{person("dave", "Dave Disabled", "dave-password", DISABLED)}
{person("alice", "Alice Directory", "alice-directory")}
{person("tricky*", "Tricky Star", "tricky-password")}
dn: {ALLOWED_GROUP}
objectClass: groupOfNames
cn: chat-users
member: uid=jane,{PEOPLE}
member: uid=ken,{PEOPLE}
member: uid=dave,{PEOPLE}
member: uid=alice,{PEOPLE}
member: uid=tricky*,{PEOPLE}

dn: {ADMIN_GROUP}
objectClass: groupOfNames
cn: chat-admins
member: uid=ken,{PEOPLE}
"""


def write_certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 (server.pem, server.key); the PEM is
    also the CA file a client must be given to trust it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pem = folder / "server.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return pem


class Slapd:
    """Listens on ldap:// (StartTLS offered) and ldaps://, with a self-signed certificate."""

    def __init__(self, folder: Path, extra_seed: str = ""):
        self.folder = folder
        self.extra_seed = extra_seed
        self.port = free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        self.tls_port = free_port()
        self.tls_url = f"ldaps://127.0.0.1:{self.tls_port}"
        self.ca_file = folder / "server.pem"
        self.process: subprocess.Popen | None = None

    def start(self) -> Slapd:
        (self.folder / "db").mkdir(parents=True, exist_ok=True)
        write_certificate(self.folder)
        config = self.folder / "slapd.conf"
        config.write_text(
            CONFIG.format(
                dir=self.folder,
                suffix=SUFFIX,
                root_dn=ROOT_DN,
                root_password=ROOT_PASSWORD,
                service_dn=SERVICE_DN,
            )
        )
        seed = self.folder / "seed.ldif"
        seed.write_text(SEED + "\n" + self.extra_seed)
        subprocess.run(
            [SLAPADD, "-q", "-f", str(config), "-l", str(seed)],
            check=True,
            capture_output=True,
            timeout=30,
        )
        # -d 0 keeps slapd in the foreground, so the PID we hold is the server's.
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(config), "-h", f"{self.url}/ {self.tls_url}/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited with {self.process.returncode}")
            try:
                for port in (self.port, self.tls_port):
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("slapd did not start listening")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    @contextmanager
    def admin(self) -> Iterator[ldap3.Connection]:
        """A root connection, for tests that change the directory while Teahouse runs."""
        conn = ldap3.Connection(
            ldap3.Server(self.url, get_info=ldap3.NONE),
            ROOT_DN,
            ROOT_PASSWORD,
            auto_bind=True,
            receive_timeout=5,
        )
        try:
            yield conn
        finally:
            conn.unbind()

    def searches(self) -> int:
        """How many searches the server has answered, from its cn=Monitor counters
        (this read included)."""
        with self.admin() as conn:
            conn.search(
                "cn=Search,cn=Operations,cn=Monitor",
                "(objectClass=*)",
                ldap3.BASE,
                attributes=["monitorOpCompleted"],
            )
            return int(conn.entries[0].monitorOpCompleted.value)


def add_person(
    slapd: Slapd, uid: str, password: str, groups=(ALLOWED_GROUP,), guid: bytes | None = None
) -> None:
    """A person (with an Active Directory style objectGUID if guid is given)."""
    attributes = {
        "uid": uid,
        "cn": uid.title(),
        "sn": uid,
        "displayName": uid.title(),
        "userPassword": password,
    }
    classes = ["inetOrgPerson"] + (["extensibleObject"] if guid else [])
    with slapd.admin() as conn:
        assert conn.add(
            f"uid={uid},{PEOPLE}", classes, {**attributes, **({"objectGUID": guid} if guid else {})}
        ), conn.result
        for group in groups:
            assert conn.modify(group, {"member": [(ldap3.MODIFY_ADD, [f"uid={uid},{PEOPLE}"])]})


def remove_person(slapd: Slapd, uid: str, base: str = PEOPLE) -> None:
    with slapd.admin() as conn:
        conn.modify(ALLOWED_GROUP, {"member": [(ldap3.MODIFY_DELETE, [f"uid={uid},{base}"])]})
        assert conn.delete(f"uid={uid},{base}"), conn.result


def require_slapd() -> None:
    if os.path.exists(SLAPD) and os.path.exists(SLAPADD):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("slapd is not installed (Debian packages slapd and ldap-utils)")
    pytest.skip("slapd is not installed (Debian packages slapd and ldap-utils)")


def ldap_env(url: str, **overrides: str) -> dict:
    """The CHAT_LDAP_* settings of the seeded directory."""
    env = {
        "CHAT_LDAP_URL": url,
        "CHAT_LDAP_BIND_DN": SERVICE_DN,
        "CHAT_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "CHAT_LDAP_USER_BASE": PEOPLE,
        "CHAT_LDAP_USER_FILTER": (
            "(&(objectClass=inetOrgPerson)(uid={username})(!(employeeType=disabled)))"
        ),
        "CHAT_LDAP_ALLOWED_GROUP": ALLOWED_GROUP,
        "CHAT_LDAP_ADMIN_GROUP": ADMIN_GROUP,
        "CHAT_LDAP_TIMEOUT": "2",
    }
    return {**env, **overrides}
