"""How Tandem writes a person's name."""


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def display_name(user) -> str:
    """A user's name as people write it: 张伟 (family name first, no space) for Chinese names,
    "Wei Zhang" otherwise; the user name when no name is set."""
    if user is None:
        return ""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if first and last and (_is_cjk(first) or _is_cjk(last)):
        return f"{last}{first}"
    return user.get_full_name() or user.get_username()
