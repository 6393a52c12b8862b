"""SVG uploads keep the drawing only: an allow-list of elements, attributes and references."""

from __future__ import annotations

import pytest
from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from issuers.images import validate_png_or_svg
from issuers.svg import sanitise_svg

SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'

HOSTILE = {
    "set rewrites href to javascript": (
        f'<svg {SVG}><a href="#x"><set attributeName="href" to="javascript:alert(1)"/>'
        "<circle r='4'/></a></svg>"
    ),
    "animate rewrites xlink:href": (
        f'<svg {SVG}><use xlink:href="#c"><animate attributeName="xlink:href" '
        'values="javascript:alert(1)" dur="1s"/></use><circle id="c" r="4"/></svg>'
    ),
    "escaped import in style": (
        f"<svg {SVG}><style>@im\\port url(https://evil.example/a.css);</style><circle r='4'/></svg>"
    ),
    "script element": f"<svg {SVG}><script>alert(1)</script><circle r='4'/></svg>",
    "script in CDATA": (f"<svg {SVG}><script><![CDATA[alert(1)]]></script><circle r='4'/></svg>"),
    "event handler": f'<svg {SVG} onload="alert(1)"><circle r="4" onclick="alert(2)"/></svg>',
    "foreign object": (
        f'<svg {SVG}><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">'
        "<img src='x' onerror='alert(1)'/></div></foreignObject></svg>"
    ),
    "external use": f'<svg {SVG}><use href="https://evil.example/sprite.svg#icon"/></svg>',
    "javascript link": f'<svg {SVG}><a xlink:href="javascript:alert(1)"><text>hi</text></a></svg>',
    "javascript with control characters": (
        f'<svg {SVG}><image href="java&#9;script:alert(1)" width="4" height="4"/></svg>'
    ),
    "external image": f'<svg {SVG}><image href="http://evil.example/x.png"/></svg>',
    "svg in a data url": (
        f'<svg {SVG}><image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/></svg>'
    ),
    "url in a presentation attribute": (
        f'<svg {SVG}><rect width="4" height="4" fill="url(https://evil.example/p#x)"/></svg>'
    ),
    "url in a style attribute": (
        f'<svg {SVG}><rect style="background:url(//evil.example/x)" width="4" height="4"/></svg>'
    ),
    "stylesheet processing instruction": (
        '<?xml-stylesheet href="https://evil.example/a.css"?>'
        f"<svg {SVG}><circle r='4'/><iframe src='https://evil.example'/></svg>"
    ),
}


def _everything_in(data: bytes) -> tuple[set[str], list[str]]:
    root = ElementTree.fromstring(data)
    names, values = set(), []
    for element in root.iter():
        names.add(element.tag.rsplit("}", 1)[-1])
        values.extend(f"{key}={value}" for key, value in element.attrib.items())
        values.append(element.text or "")
    return names, values


@pytest.mark.parametrize("svg", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_parts_are_removed_and_the_drawing_stays(svg):
    result = sanitise_svg(svg.encode())
    names, values = _everything_in(result.data)
    assert result.removed
    assert not names & {"script", "set", "animate", "foreignObject", "a", "iframe"}
    text = " ".join(values).lower()
    for needle in ("javascript", "alert", "evil.example", "@im", "onload", "onclick", "svg+xml"):
        assert needle not in text
    assert b"xml-stylesheet" not in result.data


@pytest.mark.parametrize("svg", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_svg_uploads_are_refused_with_the_reason(svg):
    with pytest.raises(ValidationError) as caught:
        validate_png_or_svg(SimpleUploadedFile("x.svg", svg.encode()))
    assert caught.value.code in {"svg_active_content", "svg_external_reference"}


def test_a_drawing_with_gradients_local_references_and_an_embedded_png_is_kept():
    svg = (
        f'<svg {SVG} viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" '
        'stop-color="#f00"/></linearGradient><circle id="dot" r="2"/></defs>'
        "<style>circle { fill: url(#g); }</style>"
        '<use xlink:href="#dot" x="5" y="5"/><rect width="10" height="10" fill="url(#g)" '
        'style="opacity: .5"/><image href="data:image/png;base64,iVBORw0KGgo=" width="1" '
        'height="1"/><text x="1" y="9" aria-label="a@b">Badge &amp; more</text></svg>'
    )
    result = sanitise_svg(svg.encode())
    assert result.removed == []
    validate_png_or_svg(SimpleUploadedFile("x.svg", svg.encode()))
    names, values = _everything_in(result.data)
    assert {"linearGradient", "stop", "style", "use", "rect", "image", "text"} <= names
    assert "{http://www.w3.org/1999/xlink}href=#dot" in values
    assert "Badge & more" in values


def test_sanitising_twice_changes_nothing_more():
    once = sanitise_svg(HOSTILE["animate rewrites xlink:href"].encode()).data
    assert sanitise_svg(once).data == once
    assert sanitise_svg(once).removed == []


def test_foreign_namespaces_and_editor_metadata_are_dropped_quietly():
    svg = (
        f'<svg {SVG} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'inkscape:version="1.0"><inkscape:grid/><metadata>x</metadata><circle r="4"/></svg>'
    )
    result = sanitise_svg(svg.encode())
    validate_png_or_svg(SimpleUploadedFile("x.svg", svg.encode()))
    assert b"inkscape" not in result.data
    assert b"metadata" not in result.data
    assert result.removed_of("active") == [] and result.removed_of("external") == []


def test_styles_that_load_images_by_other_means_are_removed():
    svg = (
        f'<svg {SVG}><style>rect {{ fill: image-set("https://evil.example/x.png" 1x); }}'
        '</style><rect width="4" height="4" style="background: src(//evil.example/y)"/></svg>'
    )
    result = sanitise_svg(svg.encode())
    assert b"evil.example" not in result.data
    assert len(result.removed_of("external")) == 2
