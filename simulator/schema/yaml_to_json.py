#!/usr/bin/env python3
"""Convert the subset of Apple's device-management YAML schema that enrollsim speaks
into the compact JSON file `apple-schema.json` beside this script.

One-time conversion, kept for reproducibility. Needs PyYAML (`pip install pyyaml`);
nothing in the build or tests runs it. Usage:

    python3 yaml_to_json.py /path/to/apple/device-management > apple-schema.json

Per key it keeps: name, type, presence, the iOS version that introduced it (inherited
from the enclosing key or payload when the key itself does not say; "n/a" when iOS does
not support it), the iOS removal version, the iOS user-enrollment mode, the allowed
values (rangelist) and nested subkeys. Descriptions and other platforms are dropped.
"""
import json
import sys

import yaml

SOURCE = {
    "repository": "https://github.com/apple/device-management",
    "commit": "b6202ca2fbd31286a52eb160b67a4db7b4fe1f1f",
    "release": "Release_iOS-18-1_macOS-15-1",
    "license": "MIT (see LICENSE.txt)",
}

FILES = [
    ("profile", "mdm/profiles/TopLevel.yaml"),
    ("profile", "mdm/profiles/CommonPayloadKeys.yaml"),
    ("profile", "mdm/profiles/com.apple.mdm.yaml"),
    ("profile", "mdm/profiles/com.apple.security.root.yaml"),
    ("profile", "mdm/profiles/com.apple.security.pkcs12.yaml"),
    ("profile", "mdm/profiles/com.apple.security.scep.yaml"),
    ("profile", "mdm/profiles/com.apple.security.acme.yaml"),
    ("checkin", "mdm/checkin/authenticate.yaml"),
    ("checkin", "mdm/checkin/tokenupdate.yaml"),
    ("checkin", "mdm/checkin/checkout.yaml"),
    ("command", "mdm/commands/information.device.yaml"),
    ("command", "mdm/commands/information.security.yaml"),
    ("command", "mdm/commands/profile.list.yaml"),
    ("command", "mdm/commands/profile.install.yaml"),
    ("command", "mdm/commands/profile.remove.yaml"),
    ("command", "mdm/commands/device.configured.yaml"),
    ("command", "mdm/commands/certificate.list.yaml"),
    ("command", "mdm/commands/device.lock.yaml"),
    ("command", "mdm/commands/device.erase.yaml"),
    ("error", "mdm/errors/unrecognized.device.yaml"),
    ("error", "mdm/errors/softwareupdate.required.yaml"),
    ("error", "mdm/errors/well-known.failed.yaml"),
    ("error", "mdm/errors/watch.pairing.token.missing.yaml"),
    ("other", "other/machineinfo.yaml"),
    ("other", "other/skipkeys.yaml"),
]


def ios_of(supported, inherited):
    """Resolve (introduced, removed, user-enrollment mode) for iOS."""
    if not supported or "iOS" not in supported:
        return inherited, None, None
    ios = supported["iOS"] or {}
    introduced = str(ios.get("introduced", inherited))
    removed = ios.get("removed")
    mode = (ios.get("userenrollment") or {}).get("mode")
    return introduced, (str(removed) if removed is not None else None), mode


def convert_key(spec, inherited_ios):
    introduced, removed, ue_mode = ios_of(spec.get("supportedOS"), inherited_ios)
    out = {
        "key": spec["key"],
        "type": spec["type"],
        "presence": spec.get("presence", "optional"),
        "ios": introduced,
    }
    if removed:
        out["ios_removed"] = removed
    if ue_mode:
        out["ios_user_enrollment"] = ue_mode
    if "rangelist" in spec:
        out["rangelist"] = spec["rangelist"]
    if spec.get("subkeys"):
        out["subkeys"] = [convert_key(s, introduced) for s in spec["subkeys"]]
    return out


def document_name(group, payload, keys):
    if group == "profile":
        return payload["payloadtype"]
    if group in ("checkin", "command"):
        return payload["requesttype"]
    if group == "error":
        code = next(k for k in keys if k["key"] == "code")
        return code["rangelist"][0]
    return payload["payloadtype"]


def convert(root, group, path):
    with open(f"{root}/{path}", encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    payload = doc.get("payload") or {}
    supported = payload.get("supportedOS") or {}
    ios = "n/a"
    if "iOS" in supported:
        ios = str((supported["iOS"] or {}).get("introduced", "n/a"))
    keys = doc.get("payloadkeys") or []
    out = {
        "group": group,
        "name": document_name(group, payload, keys),
        "title": doc["title"],
        "file": path,
        "ios": ios,
        "keys": [convert_key(k, ios) for k in keys],
    }
    if doc.get("responsekeys"):
        out["response_keys"] = [convert_key(k, ios) for k in doc["responsekeys"]]
    return out


def main():
    root = sys.argv[1]
    docs = [convert(root, group, path) for group, path in FILES]
    lines = ['{"source":' + json.dumps(SOURCE, separators=(",", ":")) + ',"documents":[']
    body = [json.dumps(d, separators=(",", ":"), ensure_ascii=False) for d in docs]
    lines.append(",\n".join(body))
    lines.append("]}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
