"""Gradio's API of the page, through gradio_client against a running `newsdesk serve`."""

from __future__ import annotations

import httpx
import pytest
from ui_support import AUTH, Server

from assistant import ABSTENTION

pytestmark = pytest.mark.integration


def client(server: Server, auth: tuple[str, str] | None = None):  # noqa: ANN201 - gradio_client.Client
    from gradio_client import Client

    return Client(server.url, auth=auth, verbose=False, download_files=False)


def test_index_endpoint_reports_what_it_added(server: Server) -> None:
    assert [len(server.reports[t]["added"]) for t in ("city", "safety", "science")] == [2, 1, 1]
    assert all(not r["skipped"] and not r["refused"] for r in server.reports.values())


def test_ask_endpoint_returns_the_answer_fields(server: Server) -> None:
    answer = client(server).predict("Who ordered the Portvale harbour bridge closed?", api_name="/ask")
    assert answer["abstained"] is False
    assert answer["text"].startswith("Mayor Elena Ruiz ordered")
    first = answer["citations"][0]
    assert first["n"] == 1 and "[1]" in answer["text"]
    assert first["quote"].startswith("Mayor Elena Ruiz ordered")
    assert first["end"] - first["start"] == len(first["quote"])
    assert first["outlet"] == "Harbour Gazette" and first["url"] == "https://gazette.example/portvale-bridge"
    assert answer["passages"] and "total" in answer["timings"]


def test_ask_endpoint_follow_up_filters_and_abstention(server: Server) -> None:
    api = client(server)
    first = "Who ordered the Portvale harbour bridge closed?"
    follow_up = api.predict("And what did the chief engineer say?", [[first, "Mayor Elena Ruiz ..."]], api_name="/ask")
    assert "metal fatigue" in follow_up["text"]
    filtered = api.predict(first, None, "Northern Science Weekly", api_name="/ask")
    assert all(c["outlet"] == "Northern Science Weekly" for c in filtered["citations"])
    unknown = api.predict("What is the capital of Mongolia?", api_name="/ask")
    assert unknown["abstained"] is True and unknown["text"] == ABSTENTION
    with pytest.raises(Exception, match="empty"):
        api.predict("   ", api_name="/ask")


def test_nothing_answers_without_login(auth_server: Server) -> None:
    for path in ("config", "gradio_api/info", "gradio_api/queue/join", "gradio_api/call/ask"):
        response = httpx.post(auth_server.url + path, json={"data": ["x"]}) if "/call" in path or "join" in path \
            else httpx.get(auth_server.url + path)
        assert response.status_code in (401, 403), (path, response.status_code, response.text[:200])
    with pytest.raises(Exception):
        client(auth_server, (AUTH[0], "wrong-password"))
    answer = client(auth_server, AUTH).predict("Who ordered the Portvale harbour bridge closed?", api_name="/ask")
    assert answer["abstained"] is True  # logged in; this server's index is empty
