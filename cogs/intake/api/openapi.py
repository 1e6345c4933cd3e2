"""The personal API's OpenAPI description (served at /api/v1/openapi.json; docs/api.md)."""

from __future__ import annotations

from typing import Any

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "tasks.errors.reward_too_high"},
                "message": {"type": "string", "description": "What a member would read."},
            },
            "required": ["code", "message"],
        }
    },
}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Bad request (malformed JSON, JSON nested too deep, half a character, a body "
        "whose Content-Encoding does not decode, bad ids)",
        401: "Missing, unknown or revoked token",
        403: "Token of another server, member left the server (or Entraide did), member timed "
        "out or not past the rules screening (posting), or scam requester refused or held",
        409: "Server not set up / alerts channel unusable",
        413: "Body larger than API_BODY_MAX_BYTES or too many JSON items",
        415: "Content-Type is not application/json",
        422: "The task breaks a share rule (same message as in Discord)",
        429: "Rate limited (per member, all tokens together): wait Retry-After seconds",
        503: "Busy, or membership could not be checked with Discord: wait Retry-After seconds",
    }
    return {
        str(c): {
            "description": text[c],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for c in codes
    }


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Entraide personal API",
        "version": "1",
        "description": "A member's own tools share task alerts and look requesters up, with a "
        "personal token from `/api token create` (scoped to that member and server).",
    },
    "servers": [{"url": "/"}],
    "security": [{"token": []}],
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": _ERROR,
            "ShareFields": {
                "type": "object",
                "description": "The same fields as /task share.",
                "properties": {
                    "link": {"type": "string"},
                    "title": {"type": "string"},
                    "platform": {"type": "string"},
                    "requester": {"type": "string"},
                    "requester_id": {"type": "string"},
                    "reward": {"type": ["number", "string"]},
                    "currency": {"type": "string"},
                    "minutes": {"type": ["integer", "string"]},
                    "limits": {"type": "string"},
                    "available": {"type": "integer"},
                    "notes": {"type": "string"},
                    "anonymous": {"type": "boolean"},
                    "warning": {"type": "string"},
                    "guild_id": {"type": "string"},
                },
                "required": ["reward", "minutes"],
            },
            "MturkHit": {
                "type": "object",
                "description": "MTurk's HIT JSON as worker.mturk.com serves it, plus `minutes` "
                "(how long it took: the assignment duration is only the time allowed).",
                "properties": {
                    "hit_set_id": {"type": "string"},
                    "requester_id": {"type": "string"},
                    "requester_name": {"type": "string"},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "monetary_reward": {
                        "type": "object",
                        "properties": {
                            "amount_in_dollars": {"type": "number"},
                            "currency_code": {"type": "string"},
                        },
                    },
                    "assignment_duration_in_seconds": {"type": "integer"},
                    "assignable_hits_count": {"type": "integer"},
                    "project_requirements": {"type": "array", "items": {"type": "object"}},
                    "minutes": {"type": ["integer", "string"]},
                    "anonymous": {"type": "boolean"},
                    "warning": {"type": "string"},
                },
                "required": ["hit_set_id", "title", "monetary_reward", "minutes"],
            },
            "ProlificStudy": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "reward": {"type": "integer", "description": "pence (minor units)"},
                    "estimated_completion_time": {"type": "integer"},
                    "total_available_places": {"type": "integer"},
                    "places_taken": {"type": "integer"},
                },
                "required": ["id", "name", "reward", "estimated_completion_time"],
            },
            "Alert": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "link": {"type": ["string", "null"], "description": "The alert in Discord"},
                    "merged": {"type": "boolean"},
                    "state": {"type": "string"},
                    "task_link": {"type": ["string", "null"]},
                },
            },
            "Requester": {
                "type": "object",
                "properties": {
                    "known": {"type": "boolean"},
                    "status": {"type": "string", "enum": ["ok", "caution", "scam"]},
                    "why": {"type": ["string", "null"]},
                    "review_count": {"type": "integer"},
                    "scores": {"type": "object", "additionalProperties": {"type": "number"}},
                    "confirmed_reports": {
                        "type": "object",
                        "additionalProperties": {"type": "integer"},
                    },
                    "crowd_hourly": {
                        "type": ["object", "null"],
                        "properties": {
                            "amount": {"type": "string"},
                            "currency": {"type": "string"},
                            "reports": {"type": "integer"},
                        },
                    },
                },
            },
        },
    },
    "paths": {
        "/api/v1/alerts": {
            "post": {
                "summary": "Share a task as this member (merges into the live alert)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/MturkHit"},
                                    {"$ref": "#/components/schemas/ProlificStudy"},
                                    {"$ref": "#/components/schemas/ShareFields"},
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "Posted",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Alert"}}
                        },
                    },
                    "200": {
                        "description": "Merged into the live alert (or already shared by you)",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Alert"}}
                        },
                    },
                    **_errors(400, 401, 403, 409, 413, 415, 422, 429, 503),
                },
            }
        },
        "/api/v1/requesters": {
            "get": {
                "summary": "Look up to 100 requesters by platform id",
                "parameters": [
                    {
                        "name": "platform",
                        "in": "query",
                        "schema": {"type": "string"},
                        "example": "mturk",
                    },
                    {
                        "name": "ids",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                        "example": "A1B2C3D4E5F6G7,A9Z8Y7X6W5V4U3",
                    },
                ],
                "responses": {
                    "200": {
                        "description": "Each id with its status; never who reported it",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "platform": {"type": "string"},
                                        "requesters": {
                                            "type": "object",
                                            "additionalProperties": {
                                                "$ref": "#/components/schemas/Requester"
                                            },
                                        },
                                    },
                                }
                            }
                        },
                    },
                    **_errors(400, 401, 403, 429, 503),
                },
            }
        },
        "/api/v1/openapi.json": {
            "get": {
                "summary": "This description",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1"}},
            }
        },
    },
}
