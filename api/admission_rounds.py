"""Consumable admission: adjustment rounds, candidates and expert reviews, filing with the NHSA, objections and
published results. Each human step is also a task of the queue (``/tasks``)."""

from __future__ import annotations

import re
from typing import Any

from flask.views import MethodView
from marshmallow import RAISE

from domain.errors import NotFound
from workflows.admission import queue, round_messages, rounds

from .admission import object_id
from .admission_round_schemas import (
    AcknowledgementIn,
    AssignmentsIn,
    CandidateOut,
    CloseIn,
    ConsolidationIn,
    FilingOut,
    FilingQuery,
    ObjectionIn,
    ObjectionOut,
    PublicationOut,
    PublishIn,
    QueueOut,
    RejectionIn,
    ResolutionsIn,
    ReviewIn,
    RoundIn,
    RoundOut,
)
from .admission_schemas import ENTRY
from .auth import current_actor
from .blueprint import Blueprint
from .services import services

blp = Blueprint("admission_rounds", __name__, url_prefix="/admission",
                description="Consumable catalog admission: adjustment rounds, experts, filing, notice, publication")
_ENTRY = re.compile(ENTRY)


def round_path_id(value: str) -> str:
    """A path's round id (anything else is no round: 404); the console's admission pages use it too."""
    return object_id(value, "round")


def entry_path_code(value: str) -> str:
    """A path's 15-character entry code (anything else is no candidate: 404)."""
    if not _ENTRY.fullmatch(value):
        raise NotFound(f"no candidate {value[:40]!r}", code="candidate_not_found")
    return value


@blp.route("/rounds")
class Rounds(MethodView):
    @blp.response(200, RoundOut(many=True))
    def get(self) -> Any:
        """List the adjustment rounds, newest window first."""
        return rounds.list_rounds(services(), current_actor())

    @blp.arguments(RoundIn)
    @blp.response(201, RoundOut)
    def post(self, body: dict[str, Any]) -> Any:
        """Open an adjustment round with its application window (DA-1; the bureau)."""
        return rounds.open_round(services(), current_actor(), body["name"], body["opens_on"], body["closes_on"])


@blp.route("/rounds/<round_id>")
class Round(MethodView):
    @blp.response(200, RoundOut)
    def get(self, round_id: str) -> Any:
        """Show a round: its window, stage, notice and publication."""
        return rounds.get_round(services(), current_actor(), round_path_id(round_id))


@blp.route("/rounds/<round_id>/closure")
class Closure(MethodView):
    @blp.arguments(CloseIn)
    @blp.response(200, RoundOut)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Close the application window early; the candidates are aggregated by entry at once (DA-3)."""
        return rounds.close_window(services(), current_actor(), round_path_id(round_id), body["reason"])


@blp.route("/rounds/<round_id>/candidates")
class Candidates(MethodView):
    @blp.response(200, CandidateOut(many=True))
    def get(self, round_id: str) -> Any:
        """The round's candidates: all for the bureau and the NHSA, only one's own for an expert (SV-3)."""
        return rounds.list_candidates(services(), current_actor(), round_path_id(round_id))


@blp.route("/rounds/<round_id>/candidates/<entry_code>")
class CandidateDetail(MethodView):
    @blp.response(200, CandidateOut)
    def get(self, round_id: str, entry_code: str) -> Any:
        """One candidate the caller may see (404 for an expert not assigned to it)."""
        return rounds.get_candidate(services(), current_actor(), round_path_id(round_id), entry_path_code(entry_code))


@blp.route("/rounds/<round_id>/experts")
class Experts(MethodView):
    @blp.arguments(AssignmentsIn)
    @blp.response(200, CandidateOut(many=True))
    def put(self, body: dict[str, Any], round_id: str) -> Any:
        """Assign the experts of every candidate; DA-5 and SV-3 violations are refused, naming the rule."""
        assignments = {a["entry_code"]: a["expert_ids"] for a in body["assignments"]}
        return rounds.assign_experts(services(), current_actor(), round_path_id(round_id), assignments)


@blp.route("/rounds/<round_id>/candidates/<entry_code>/review")
class Review(MethodView):
    @blp.arguments(ReviewIn)
    @blp.response(200, CandidateOut)
    def post(self, body: dict[str, Any], round_id: str, entry_code: str) -> Any:
        """An assigned expert's review of the candidate (DA-5), kept under the expert's id."""
        review = {k: v for k, v in body.items() if v is not None}
        return rounds.submit_review(services(), current_actor(), round_path_id(round_id), entry_path_code(entry_code),
                                    review)


@blp.route("/rounds/<round_id>/consolidation")
class Consolidation(MethodView):
    @blp.arguments(ConsolidationIn)
    @blp.response(200, CandidateOut(many=True))
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """The bureau's decision on every candidate, and the entries it retires; then filed with the NHSA (DA-6)."""
        decisions = {d.pop("entry_code"): {k: v for k, v in d.items() if v is not None} for d in body["decisions"]}
        return rounds.consolidate(services(), current_actor(), round_path_id(round_id), decisions, body["retirements"])


@blp.route("/rounds/<round_id>/filing/acknowledgement")
class Acknowledgement(MethodView):
    @blp.arguments(AcknowledgementIn)
    @blp.response(200, RoundOut)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """The NHSA acknowledges the filing with its number (DA-6); the public notice starts (SV-1)."""
        return round_messages.answer_filing(services(), current_actor(), round_path_id(round_id), True,
                                            filing_number=body["filing_number"])


@blp.route("/rounds/<round_id>/filing/rejection")
class Rejection(MethodView):
    @blp.arguments(RejectionIn)
    @blp.response(200, RoundOut)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """The NHSA returns the filing with reasons; the bureau consolidates again (DA-6)."""
        return round_messages.answer_filing(services(), current_actor(), round_path_id(round_id), False,
                                            reasons=body["reasons"])


@blp.route("/filings")
class Filings(MethodView):
    @blp.arguments(FilingQuery, location="query", unknown=RAISE)
    @blp.response(200, FilingOut(many=True))
    def get(self, query: dict[str, Any]) -> Any:
        """Filings with the NHSA, for the NHSA and the bureau (DA-6)."""
        return round_messages.list_filings(services(), current_actor(), query["round_id"], query["status"])


@blp.route("/rounds/<round_id>/objections")
class Objections(MethodView):
    @blp.response(200, ObjectionOut(many=True))
    def get(self, round_id: str) -> Any:
        """A round's objections: all for the bureau, one's own for anyone else."""
        return round_messages.list_objections(services(), current_actor(), round_path_id(round_id))

    @blp.arguments(ObjectionIn)
    @blp.response(201, ObjectionOut)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Object to the round's results during its public notice (SV-1); any logged-in user."""
        return round_messages.lodge_objection(services(), current_actor(), round_path_id(round_id), body["text"],
                                              body["entry_code"])


@blp.route("/rounds/<round_id>/objection-resolutions")
class Resolutions(MethodView):
    @blp.arguments(ResolutionsIn)
    @blp.response(200, RoundOut)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """The bureau resolves every objection (SV-1); an upheld one sends the round back to consolidation."""
        resolutions = {r["objection_id"]: {"upheld": r["upheld"], "resolution": r["resolution"]}
                       for r in body["resolutions"]}
        return rounds.resolve_objections(services(), current_actor(), round_path_id(round_id), resolutions)


@blp.route("/rounds/<round_id>/publication")
class Publication(MethodView):
    @blp.arguments(PublishIn)
    @blp.response(200, RoundOut)
    def post(self, body: dict[str, Any], round_id: str) -> Any:
        """Publish the next catalog version with its effective date (CM-6); each application learns its outcome."""
        return rounds.publish_round(services(), current_actor(), round_path_id(round_id), body["effective_on"])


@blp.route("/publications")
class Publications(MethodView):
    @blp.response(200, PublicationOut(many=True))
    def get(self) -> Any:
        """The published rounds: catalog version, effective date, entries added, removed and changed (SV-1)."""
        return round_messages.list_publications(services())


@blp.route("/queue")
class Queue(MethodView):
    @blp.response(200, QueueOut)
    def get(self) -> Any:
        """Open human steps per stage, applications per status, rounds per stage (administrators, bureau officers)."""
        return queue.admission_queue(services(), current_actor())

# What the app factory registers for this process (api/__init__.py SLICES).
BLUEPRINTS = (blp,)
