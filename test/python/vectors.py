"""The fixed test vectors (test/vectors/*.json) for the Python suites:
invalid values come from here, never from a random mutation of a random
value (a mutated value may stay valid: about 1 in 16 flipped Ed25519
halves is still a point)."""
import base64
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(name):
    with open(os.path.join(ROOT, "test", "vectors", name)) as f:
        return json.load(f)


def invalid(type_name, *why):
    """The text forms of the invalid vectors of type_name whose reason is
    one of why (all of that type's input cases when why is empty)."""
    cases = [c for c in load("scheme-v1-invalid.json")["cases"]
             if c["type"] == type_name and c["stage"] == "input"
             and (not why or c["why"] in why)]
    assert cases, (type_name, why)
    return [c["value"] for c in cases]


def text_bytes(text):
    """The bytes of a prefixed, unpadded base64url text form."""
    body = text.split("_", 1)[1]
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
