"""Real-shaped exports, one per format (the corpus directory holds the odd ones)."""

from __future__ import annotations

import json
from pathlib import Path

GROUP = "3Z8UJEJOCZEG603II9CQDYWSGSQY7F"
REQ = "A1B2C3D4E5F6G7"
PROJECT = f"https://worker.mturk.com/projects/{GROUP}/tasks"
CORPUS = Path(__file__).parent / "corpus"

HIT = {
    "hit_set_id": GROUP,
    "requester_id": REQ,
    "requester_name": "Acme Research",
    "title": "Rate images of food",
    "description": "Look at 20 pictures and rate each one.",
    "assignment_duration_in_seconds": 3600,
    "creation_time": "2026-11-26T16:55:00.000Z",
    "assignable_hits_count": 250,
    "latest_expiration_time": "2026-11-27T16:55:00.000Z",
    "caller_meets_requirements": True,
    "caller_meets_preview_requirements": True,
    "last_updated_time": "2026-11-26T16:55:00.000Z",
    "monetary_reward": {"currency_code": "USD", "amount_in_dollars": 1.5},
    "accept_project_task_url": f"/projects/{GROUP}/tasks/accept_random?ref=w_pl_prvw",
    "requester_url": f"/requesters/{REQ}/projects?ref=w_pl_prvw",
    "project_tasks_url": f"/projects/{GROUP}/tasks?ref=w_pl_prvw",
    "project_requirements": [
        {
            "qualification_type_id": "000000000000000000L0",
            "comparator": "GreaterThanOrEqualTo",
            "worker_action": "AcceptHit",
            "qualification_values": [98],
            "caller_meets_requirement": True,
            "qualification_type": {
                "qualification_type_id": "000000000000000000L0",
                "name": "HIT Approval Rate (%) for all Requesters' HITs",
                "visibility": True,
                "description": "...",
                "has_test": False,
                "is_requestable": False,
                "keywords": "HIT,Approval,Rate",
            },
            "caller_qualification_value": {"integer_value": 99, "locale_value": {}},
        },
        {
            "qualification_type_id": "00000000000000000071",
            "comparator": "In",
            "worker_action": "AcceptHit",
            "qualification_values": [
                {"country": "US", "subdivision": None},
                {"country": "CA", "subdivision": None},
            ],
            "caller_meets_requirement": True,
            "qualification_type": {
                "qualification_type_id": "00000000000000000071",
                "name": "Location",
                "visibility": True,
            },
        },
        {
            "qualification_type_id": "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH",
            "comparator": "Exists",
            "worker_action": "AcceptHit",
            "qualification_values": [],
            "qualification_type": {"name": "Masters", "visibility": True},
        },
        {
            "qualification_type_id": "3ABCDEFGHIJKLMNOPQRSTUVWXYZ012",
            "comparator": "DoesNotExist",
            "worker_action": "AcceptHit",
            "qualification_values": [],
            "qualification_type": {"name": "Did our food survey", "visibility": True},
        },
    ],
}
HIT_JSON = json.dumps(HIT)

PROLIFIC = {
    "id": "5f0c1e2d3b4a59687766aabb",
    "name": "Memory and attention",
    "description": "A short study about memory.",
    "reward": 150,
    "currency_code": "GBP",
    "estimated_completion_time": 10,
    "maximum_allowed_time": 52,
    "total_available_places": 300,
    "places_taken": 120,
    "researcher": {"id": "5e9f1a2b3c4d5e6f7a8b9c0d", "name": "Uni Lab"},
}
PROLIFIC_JSON = json.dumps(PROLIFIC)

PLAIN = f"""Title: Rate images of food | PREVIEW | ACCEPT
Requester: Acme Research [{REQ}] (Contact)
TV: [Hrly=$14.20] [Pay: Generous] [Approval: ~1 day] [Reviews: 120]
TO: [Pay: 4.50] [Fast: 4.80] [Comm: 4.00] [Fair: 5.00] [Reviews: 120] [ToS: 0]
Reward: $1.50
Duration: 1 hour
Available: 250
Description: Look at 20 pictures and rate each one.
Qualifications: HIT Approval Rate (%) for all Requesters' HITs GreaterThanOrEqualTo 98; Location In US, CA; Masters Exists
{PROJECT}"""

MARKDOWN = f"""**Title:** [Rate images of food]({PROJECT}) | [PANDA](https://worker.mturk.com/projects/{GROUP}/tasks/accept_random)
**Requester:** [Acme Research](https://worker.mturk.com/requesters/{REQ}/projects) [{REQ}]
**Reward:** $1.50
**Duration:** 1 hour
**Available:** 250
**Qualifications:** Location In US, CA; HIT approval rate (%) GreaterThanOrEqualTo 98; Masters has been granted"""

BBCODE = f"""[b]Title:[/b] [url={PROJECT}]Rate images of food[/url] | [url=https://worker.mturk.com/projects/{GROUP}/tasks/accept_random]ACCEPT[/url]
[b]Requester:[/b] [url=https://worker.mturk.com/requesters/{REQ}/projects]Acme Research[/url] [{REQ}]
[b]TV:[/b] [Hrly=$14.20] [Reviews: 120]
[b]Reward:[/b] $1.50
[b]Duration:[/b] 1 hour
[b]Available:[/b] 250
[b]Qualifications:[/b] HIT approval rate (%) GreaterThanOrEqualTo 98; Location In US, CA; Masters Exists"""

SHORT = (
    f"Rate images of food • Acme Research [{REQ}] • $1.50 • 1 hour • 250 available • "
    f"Quals: Location In US, CA; Masters Exists • {PROJECT}"
)

FREE = f"Food images survey {PROJECT} pays $1.50, took me 6 min"

FORMATS = {
    "mturk_json": HIT_JSON,
    "plain": PLAIN,
    "markdown": MARKDOWN,
    "bbcode": BBCODE,
    "short": SHORT,
}
