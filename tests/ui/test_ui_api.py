"""Gradio's API of the page, through gradio_client against a running `newsdesk serve`."""

from __future__ import annotations

import json

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


QUESTION = "Who ordered the Portvale harbour bridge closed?"
K_RANGE = "the number of passages must be a whole number from 1 to 50"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("   ",), "the question is empty: ask something about the articles"),
        ((42,), "the question must be text, not int"),
        (({"text": QUESTION},), "the question must be text, not dict"),
        ((QUESTION, None, None, None, None, None, "abc"), f"k='abc': {K_RANGE}"),
        ((QUESTION, None, None, None, None, None, 2.5), f"k=2.5: {K_RANGE}"),
        ((QUESTION, None, None, None, None, None, -5), f"k=-5: {K_RANGE}"),
        ((QUESTION, None, None, None, None, None, 10**9), f"k=1000000000: {K_RANGE}"),
        ((QUESTION, "not a list"), "history must be a list of [question, answer] pairs or {role, content} messages"),
        ((QUESTION, [["only a question"]]), "history turn 1 must be a [question, answer] pair of text"),
        ((QUESTION, None, 7), "outlet must be text, not int"),
        ((QUESTION, None, None, None, "last Tuesday"), "since='last Tuesday' is not a date (YYYY-MM-DD)"),
        ((QUESTION, None, None, None, None, None, None, "poetry"), "mode='poetry': use 'llm' or 'extractive'"),
    ],
)
def test_bad_input_to_ask_is_a_one_line_error_and_no_traceback(server: Server, args: tuple, message: str) -> None:
    from gradio_client.exceptions import AppError

    logged = len(server.output())
    with pytest.raises(AppError) as refused:
        client(server).predict(*args, api_name="/ask")
    assert str(refused.value) == message
    assert "Traceback" not in server.output()[logged:]


def test_nothing_answers_without_login(auth_server: Server) -> None:
    for path in ("config", "gradio_api/info", "gradio_api/queue/join", "gradio_api/call/ask"):
        response = httpx.post(auth_server.url + path, json={"data": ["x"]}) if "/call" in path or "join" in path \
            else httpx.get(auth_server.url + path)
        assert response.status_code in (401, 403), (path, response.status_code, response.text[:200])
    wrong = httpx.post(auth_server.url + "login", data={"username": AUTH[0], "password": "wrong-password"})
    assert (wrong.status_code, wrong.json()) == (400, {"detail": "Incorrect credentials."})
    with pytest.raises(ValueError, match=r"^Could not login to http://127\.0\.0\.1:\d+/\.$"):
        client(auth_server, (AUTH[0], "wrong-password"))
    answer = client(auth_server, AUTH).predict("Who ordered the Portvale harbour bridge closed?", api_name="/ask")
    assert answer["abstained"] is True  # logged in; nothing this server holds is about Portvale


def test_a_lone_surrogate_in_the_question_is_a_one_line_error(server: Server) -> None:
    """Sent as JSON's "\\ud800" over Gradio's REST API (gradio_client cannot encode it)."""
    logged = len(server.output())
    question = "Who closed the bridge\ud800?"
    body = json.dumps({"data": [question, None, None, None, None, None, None, None]})  # ASCII: "\\ud800"
    started = httpx.post(server.url + "gradio_api/call/ask", content=body, headers={"Content-Type": "application/json"})
    assert started.status_code == 200, started.text
    events = httpx.get(server.url + f"gradio_api/call/ask/{started.json()['event_id']}", timeout=60).text
    message = "the question is not valid text: character 22 is not UTF-8 ('\\ud800', e.g. from invalid UTF-8 bytes)"
    kind, data = events.splitlines()[:2]
    assert kind == "event: error"
    assert json.loads(data.removeprefix("data: "))["error"] == message
    assert "Traceback" not in server.output()[logged:]

