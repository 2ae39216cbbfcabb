"""Service of letters: record how and when a letter was served, and list the letters not yet served."""
from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from app.services import deliveries as service

from . import bp
from .errors import fails_with
from .schemas import DeliveryRequestSchema, DeliverySchema, DocumentSchema, EventSchema

SERVED_EXAMPLE = {"method": "post", "served_on": "2026-11-30", "tracking_number": "1234567890123"}


class DeliveryResultSchema(Schema):
    delivery = fields.Nested(DeliverySchema)
    event = fields.Nested(EventSchema)


class UnservedListSchema(Schema):
    items = fields.List(fields.Nested(DocumentSchema))


@bp.post("/documents/<int(max=2147483647):document_id>/deliveries")
@bp.doc(tags=["documents"], summary="登记送达")
@bp.arguments(DeliveryRequestSchema, example=SERVED_EXAMPLE)
@bp.response(201, DeliveryResultSchema, description="送达记录，以及案件历史中的送达事件")
@fails_with(400, 401, 403, 404, 409, 413, 422)
def record_delivery(body, document_id: int):
    """Record how and when a letter was served; a deadline that runs from service counts from that day."""
    served = service.record_delivery(document_id, actor=g.user, **body)
    return {"delivery": served.delivery, "event": served.event}, 201


@bp.get("/documents/unserved")
@bp.doc(tags=["documents"], summary="尚未登记送达的文书")
@bp.response(200, UnservedListSchema, description="发出的文书中尚未登记送达的，最早的在前")
@fails_with(401)
def list_unserved_letters():
    """The agency's letters sent outside that nobody has recorded as served yet."""
    return {"items": service.unserved_letters(actor=g.user)}
