"""The way back to the set-up: an admin who opened a step's own page (the industry templates,
the users) from the wizard may go on from there to other pages (a template's dry run, an
invitation form); each of them shows a bar leading back to that step, until the admin is back
in the wizard. The step is kept in the session, so this reads nothing from the database."""

SETUP_RETURN = "setup_return"


def setup_return(request) -> dict:
    session = getattr(request, "session", None)
    key = session.get(SETUP_RETURN) if session is not None else None
    match = getattr(request, "resolver_match", None)
    if not key or (match is not None and match.namespace == "setup" and match.url_name.startswith("wizard")):
        return {}
    from integration.setup import wizard

    step = wizard.step_get(key)
    if step is None:
        return {}
    return {"setup_return": {"url": wizard.step_url(key), "title": step.title}}
