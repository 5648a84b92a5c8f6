"""The API's side of the record and field rules: related ids in a body limited to the rows the
user may read (``VisibleRelatedMixin``), and fields some roles may not read, given as null
(``RestrictedFieldsMixin``: what a page leaves out)."""


class RestrictedFieldsMixin:
    """``restricted_fields``: the fields; ``may_read_restricted(user)``: the rule (a selector's
    function, e.g. ``scm.inventory.selectors.can_see_cost``). The fields are marked nullable in
    the schema. Without a request in the context (an answer written for the user who just made
    the record, through ``core.drf.serialized``) they are shown when ``shown_without_request``."""

    restricted_fields: tuple[str, ...] = ()
    shown_without_request = False

    @staticmethod
    def may_read_restricted(user) -> bool:
        return True

    def get_fields(self):
        fields = super().get_fields()
        for name in self.restricted_fields:
            if name in fields:
                fields[name].allow_null = True
        return fields

    def _hides(self) -> bool:
        request = self.context.get("request")
        if request is None:
            # A nested serializer reads its parent's request.
            parent = getattr(self, "parent", None)
            while parent is not None and request is None:
                request = getattr(parent, "context", {}).get("request")
                parent = getattr(parent, "parent", None)
        if request is None:
            return not self.shown_without_request
        return not self.may_read_restricted(request.user)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.restricted_fields and self._hides():
            for name in self.restricted_fields:
                if name in data:
                    data[name] = None
        return data


class VisibleRelatedMixin:
    """A serializer whose related-id fields offer only the rows the requesting user may read:
    ``visible_related = {"customer": customers_visible_to, …}`` (field → the read rule's
    selector). An id the user may not read is answered as one that does not exist (DRF's "Invalid
    pk" field error), so a guess tells nothing, and nothing is written."""

    visible_related: dict = {}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            for name, visible_to in self.visible_related.items():
                if name in fields:
                    fields[name].queryset = visible_to(request.user)
        return fields
