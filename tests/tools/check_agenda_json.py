#!/usr/bin/env python3
# check_agenda_json.py SCHEMA JSON - validate an agenda rendered as JSON
# against docs/agenda.schema.json, and check what a schema cannot say:
# the count matches the ids, slot keys are unique, breaks keyed by time.
import json
import re
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.validators.validator_for(schema).check_schema(schema)
jsonschema.validate(doc, schema, cls=jsonschema.validators.validator_for(schema),
                    format_checker=jsonschema.FormatChecker())
keys = [s["key"] for s in doc["slots"]]
assert len(set(keys)) == len(keys), "duplicate slot keys"
for s in doc["slots"]:
    assert s["inconvenienced_count"] == len(s["inconvenienced"]), s["key"]
    if s["kind"].endswith("-break"):
        assert re.fullmatch(r"break:[0-9]+:[0-9]{4}", s["key"]), s["key"]
print("ok", len(doc["slots"]), "slots", len(doc["deferred"]), "deferred")
