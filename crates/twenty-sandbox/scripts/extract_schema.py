#!/usr/bin/env python3
"""Extract the sandbox's seed schema from a recorded Twenty `metadata-objects.json`.

Usage (from the crate directory):

    python3 scripts/extract_schema.py ../../../shared/twenty-live/metadata-objects.json twenty-1.5 > schema/twenty-1.5.json
    python3 scripts/extract_schema.py ../../../shared/twenty-live-2x/metadata-objects.json twenty-2 > schema/twenty-2.json

Keeps the nine standard objects the importer writes and the three workflow objects `check`
reads (workflow, workflowVersion, workflowAutomatedTrigger), drops the demo customisations of the recorded
workspaces (custom fields such as `tagline`, `whatsapp`, relations to custom objects such as
`surveyResult` or `pet`), parses Twenty's SQL-literal default values (`"'NEW'"` -> `"NEW"`) and
resolves every relation to `{type, target, joinColumn, inverse}`. The original metadata blob of each
object and field is kept verbatim under `meta` so the sandbox answers `/rest/metadata/objects` with
the same shape as the recorded server.
"""

import json
import sys

OBJECTS = [
    "company",
    "person",
    "opportunity",
    "note",
    "noteTarget",
    "task",
    "taskTarget",
    "attachment",
    "workspaceMember",
    "workflow",
    "workflowVersion",
    "workflowAutomatedTrigger",
]

# The 2.x metadata does not name the target of a relation field: resolve it by name.
TARGET_BY_NAME = {
    "company": "company",
    "targetCompany": "company",
    "person": "person",
    "targetPerson": "person",
    "pointOfContact": "person",
    "opportunity": "opportunity",
    "targetOpportunity": "opportunity",
    "note": "note",
    "targetNote": "note",
    "task": "task",
    "targetTask": "task",
    "accountOwner": "workspaceMember",
    "owner": "workspaceMember",
    "assignee": "workspaceMember",
    "author": "workspaceMember",
    "people": "person",
    "opportunities": "opportunity",
    "pointOfContactForOpportunities": "opportunity",
    "noteTargets": "noteTarget",
    "taskTargets": "taskTarget",
    "attachments": "attachment",
    "authoredAttachments": "attachment",
    "accountOwnerForCompanies": "company",
    "ownedOpportunities": "opportunity",
    "assignedTasks": "task",
    "workflow": "workflow",
    "versions": "workflowVersion",
    "automatedTriggers": "workflowAutomatedTrigger",
}

# Fields of the recorded 2.x workspace created by its demo seed application that are standard
# fields of Twenty all the same (the contract doc lists them): keep them.
KEEP_2X_APP_FIELDS = {("company", "employees")}


def parse_default(value):
    """Twenty stores defaults as SQL literals: "'NEW'" is the string NEW, "now"/"uuid" are functions."""
    if isinstance(value, str):
        if len(value) >= 2 and value[0] == "'" and value[-1] == "'":
            return value[1:-1]
        if value in ("now", "uuid"):
            return None
        return value
    if isinstance(value, dict):
        return {k: parse_default(v) for k, v in value.items()}
    if isinstance(value, list):
        return [parse_default(v) for v in value]
    return value


def main():
    path, profile = sys.argv[1], sys.argv[2]
    doc = json.load(open(path))
    objects = doc["response"]["data"]["objects"]
    by_name = {o["nameSingular"]: o for o in objects}
    std_app = by_name["company"].get("applicationId")

    def is_demo(obj_name, field):
        if "isCustom" in field:  # 1.5
            return field["isCustom"]
        if (obj_name, field["name"]) in KEEP_2X_APP_FIELDS:
            return False
        return field.get("applicationId") != std_app

    out_objects = []
    for name in OBJECTS:
        obj = by_name[name]
        fields = []
        for f in obj["fields"]:
            if is_demo(name, f) or not f.get("isActive", True):
                continue
            relation = None
            if f["type"] in ("RELATION", "MORPH_RELATION"):
                rel = f.get("relation")
                if rel:  # 1.5 shape
                    rtype = rel["type"]
                    target = rel["targetObjectMetadata"]["nameSingular"]
                    target_is_custom = by_name.get(target, {}).get("isCustom", True)
                    if target_is_custom:
                        continue
                    join = f["name"] + "Id" if rtype == "MANY_TO_ONE" else None
                    inverse = rel["targetFieldMetadata"]["name"]
                else:  # 2.x shape
                    settings = f.get("settings") or {}
                    rtype = settings.get("relationType")
                    join = settings.get("joinColumnName")
                    target = TARGET_BY_NAME.get(f["name"])
                    inverse = None
                    if target is None and rtype == "MANY_TO_ONE":
                        continue  # relation to a custom or unknown object
                if target not in OBJECTS:
                    target = None  # standard object the sandbox does not store (favorites, ...)
                relation = {"type": rtype, "target": target, "joinColumn": join, "inverse": inverse}
            fields.append(
                {
                    "id": f["id"],
                    "name": f["name"],
                    "label": f["label"],
                    "type": f["type"],
                    "isNullable": f.get("isNullable", True),
                    "isUnique": f.get("isUnique", False)
                    or (name, f["name"]) in (("company", "domainName"), ("person", "emails")),
                    "isSystem": f.get("isSystem", False),
                    "isCustom": False,
                    "defaultValue": parse_default(f.get("defaultValue")),
                    "options": f.get("options"),
                    "relation": relation,
                    "meta": f,
                }
            )
        meta = {k: v for k, v in obj.items() if k != "fields"}
        out_objects.append(
            {
                "id": obj["id"],
                "nameSingular": obj["nameSingular"],
                "namePlural": obj["namePlural"],
                "labelSingular": obj["labelSingular"],
                "labelPlural": obj["labelPlural"],
                "isCustom": False,
                "meta": meta,
                "fields": fields,
            }
        )

    # Resolve the inverse side of ONE_TO_MANY relations (needed for depth=1 answers).
    by_out = {o["nameSingular"]: o for o in out_objects}
    for o in out_objects:
        for f in o["fields"]:
            rel = f["relation"]
            if not rel or rel["type"] != "ONE_TO_MANY" or rel["target"] is None:
                continue
            target = by_out[rel["target"]]
            candidates = [
                tf
                for tf in target["fields"]
                if tf["relation"]
                and tf["relation"]["type"] == "MANY_TO_ONE"
                and tf["relation"]["target"] == o["nameSingular"]
            ]
            named = [c for c in candidates if c["relation"].get("inverse") == f["name"]]
            pick = (named or candidates or [None])[0]
            rel["inverse"] = pick["name"] if pick else None
            if pick is None:
                rel["target"] = None
    json.dump({"profile": profile, "objects": out_objects}, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
