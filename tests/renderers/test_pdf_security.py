"""Safe rendering: markup in a dossier or a definition prints as text, and WeasyPrint
fetches nothing but our own fonts (no network, no local files, no attachments)."""

from __future__ import annotations

import copy
import dataclasses
import http.server
import threading

import pytest

from renderers import pdf
from renderers.print_assets import FONT_FILES, SCHEME, PrintFetcher, RefusedURL
from tests.renderers.pdf_helpers import accepted_dossier, flat, pages_text, reader


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).hits.append(self.path)
        body = b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>"
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets."""
    handler = type("Recorder", (_Recorder,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], handler.hits
    server.shutdown()
    server.server_close()


def payloads(port: int) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/hostname">',
        f'<img src="http://127.0.0.1:{port}/x">',
        f'<style>@import url("http://127.0.0.1:{port}/import.css");</style>',
        f'<div style="background: url(http://127.0.0.1:{port}/bg)">x</div>',
        f'<a rel="attachment" href="http://127.0.0.1:{port}/a">tệp</a>',
    ]


def hostile_service(household, port):
    """The household service whose form titles carry markup, and a sample whose values do."""
    evil = payloads(port)
    schema = copy.deepcopy(household.form_schema)
    schema["title"] = evil[3]
    schema["description"] = evil[0]
    props = schema["properties"]
    props["business"]["title"] = evil[1]
    props["business"]["properties"]["name"]["title"] = evil[2]
    props["businessLines"]["items"]["properties"]["name"]["title"] = evil[4]
    data = copy.deepcopy(household.sample)
    data["business"]["name"] = evil[0]
    data["business"]["website"] = evil[2]
    data["businessLines"][0]["name"] = evil[1]
    data["businessLines"][1]["name"] = evil[3]
    data["members"][0]["relationship"] = evil[5]
    data["members"][0]["fullName"] = evil[4]
    return dataclasses.replace(household, form_schema=schema, sample=data), evil


def compact(text: str) -> str:
    return "".join(text.split())


def assert_safe(data: bytes, hits: list[str], attached: tuple[str, ...] = ()) -> None:
    """No request, no image, no file embedded but ``attached`` (the dossier's own JSON, which
    the renderer adds itself: renderers.pdf.dossier_json)."""
    document = reader(data)
    assert hits == [], f"the renderer made requests: {hits}"
    assert list(document.attachments) == list(attached)
    if not attached:
        assert "/EmbeddedFiles" not in (document.trailer["/Root"].get("/Names") or {})
    for page in document.pages:
        for annotation in page.get("/Annots") or []:
            assert annotation.get_object().get("/Subtype") != "/FileAttachment"
        assert not page["/Resources"].get("/XObject")  # no image was loaded from anywhere
    text = flat(" ".join(pages_text(data)))
    assert "root:" not in text  # /etc/passwd


def test_markup_in_values_and_titles_prints_as_text_and_fetches_nothing(household, listener):
    port, hits = listener
    service, evil = hostile_service(household, port)
    dossier = accepted_dossier(service, service.sample)
    outputs = {
        "dossier": pdf.render_dossier_pdf(service, dossier, f"http://127.0.0.1:{port}/tra-cuu/x"),
        "sample": pdf.render_sample_pdf(service),
        "blank": pdf.render_blank_pdf(service),
        "receipt": pdf.render_receipt_pdf(service, dossier, evil[2], f"http://127.0.0.1:{port}/tra-cuu/x"),
    }
    for kind, data in outputs.items():
        assert_safe(data, hits, (f"ho-so-{dossier.id}.json",) if kind == "dossier" else ())
        text = compact(" ".join(pages_text(data)))
        printed = [p for p in evil if compact(p) in text]
        if kind in ("dossier", "sample"):
            assert printed == evil, f"{kind}: markup did not print literally"
        else:
            assert printed, kind
    html = pdf.render_dossier_html(service, dossier, None)
    assert "<img" not in html and "<style>@import" not in html and '<link rel="attachment"' not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html


def test_the_fetcher_refuses_every_url_but_our_fonts(listener):
    port, hits = listener
    fetcher = PrintFetcher()
    for url in [f"http://127.0.0.1:{port}/x", f"https://127.0.0.1:{port}/x", "file:///etc/passwd",
                "data:text/plain,hello", f"ftp://127.0.0.1:{port}/x", f"{SCHEME}:fonts/../../etc/passwd",
                f"{SCHEME}:static/print.css", f"{SCHEME}:fonts/DejaVuSans.ttf", "/etc/passwd"]:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
        with pytest.raises(RefusedURL):
            fetcher(url)
    assert fetcher.fetch(f"{SCHEME}:fonts/{FONT_FILES[0]}").read()[:4] == b"\x00\x01\x00\x00"  # TrueType
    assert hits == []


def test_even_raw_markup_given_to_weasyprint_loads_nothing(listener):
    """The second lock: were markup ever to reach WeasyPrint unescaped, the fetcher still refuses."""
    port, hits = listener
    printer = pdf.printer()
    before = len(printer.fetcher.refused)
    raw = ("<html><head><link rel='stylesheet' href='http://127.0.0.1:{p}/s.css'>"
           "<link rel='attachment' href='file:///etc/hostname'>"
           "<style>@import url('http://127.0.0.1:{p}/i.css'); body {{ background: url('http://127.0.0.1:{p}/b') }}</style>"
           "</head><body><img src='file:///etc/passwd'><img src='http://127.0.0.1:{p}/img'>"
           "<object data='http://127.0.0.1:{p}/o'></object><iframe src='http://127.0.0.1:{p}/f'></iframe>"
           "<a rel='attachment' href='http://127.0.0.1:{p}/a'>a</a><p>ok</p></body></html>").format(p=port)
    data = pdf.html_to_pdf(raw)
    assert_safe(data, hits)
    refused = printer.fetcher.refused[before:]
    assert any("/etc/passwd" in url for url in refused) and any(str(port) in url for url in refused)
