"""The systemd units in deploy/ are valid for systemd itself and keep their promises."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys

import pytest

from tests.serverproc import ROOT

UNITS = ("teahouse.service", "teahouse-backup.service", "teahouse-backup.timer")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((ROOT / "deploy" / name).read_text())
    return parser


def test_the_service_is_hardened_notifies_and_has_room_for_thousands_of_sockets():
    service = unit("teahouse.service")["Service"]
    assert service["Type"] == "notify"
    assert service["User"] == "teahouse" and service["StateDirectory"] == "teahouse"
    assert int(service["LimitNOFILE"]) >= 65536
    for option in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert service[option] == "yes", option
    assert service["ProtectSystem"] == "strict" and service["UMask"] == "0077"
    assert "CHAT_DATA_DIR=/var/lib/teahouse" in (ROOT / "deploy" / "teahouse.service").read_text()


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)
def test_systemd_accepts_every_unit_without_a_warning(tmp_path):
    # systemd checks that ExecStart exists: point the paths at this checkout.
    for name in UNITS:
        text = (ROOT / "deploy" / name).read_text()
        text = text.replace("/opt/teahouse/.venv/bin/python", sys.executable)
        (tmp_path / name).write_text(text.replace("/opt/teahouse", str(ROOT)))
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
