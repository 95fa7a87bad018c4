"""Reading rendered HTML the way a person's browser and screen reader would."""

from __future__ import annotations

import html5lib


def parse(fragment: str):
    return html5lib.parseFragment(str(fragment), treebuilder="etree", namespaceHTMLElements=False)


def by_id(tree, element_id: str):
    found = tree.find(f".//*[@id='{element_id}']")
    assert found is not None, f"no element with id {element_id!r}"
    return found


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def label_for(tree, control_id: str) -> str:
    label = tree.find(f".//label[@for='{control_id}']")
    assert label is not None, f"no label for {control_id!r}"
    return text_of(label)


def visible_controls(tree):
    """Inputs a person fills (not hidden, not inside <template>)."""
    templates = {id(e) for t in tree.iter("template") for e in t.iter()}
    for element in tree.iter():
        if id(element) in templates or element.tag not in ("input", "select", "textarea"):
            continue
        if element.tag == "input" and element.get("type") in ("hidden", "submit"):
            continue
        yield element
