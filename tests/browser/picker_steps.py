"""Steps for browser tests that choose in a picker (``core.pickers``: a Tom Select box over a
``<select data-picker>``), by keyboard as people do."""


def picker_input(page, select_id: str):
    """The box's text field of the picker over ``<select id=select_id>``."""
    return page.locator(f"#{select_id}-ts-control")


def pick(page, select_id: str, typed: str, value) -> None:
    """Type ``typed`` into the picker, wait for the option of ``value`` and take it with the
    arrow keys and Enter; the ``<select>`` then holds ``value``."""
    field = picker_input(page, select_id)
    field.click()
    field.press_sequentially(typed, delay=30)
    options = page.locator(f"#{select_id}-ts-dropdown .option")
    option = page.locator(f'#{select_id}-ts-dropdown .option[data-value="{value}"]')
    option.wait_for()
    index = options.evaluate_all(
        "(els, value) => els.findIndex(el => el.dataset.value === value)", str(value)
    )
    active = options.evaluate_all("els => els.findIndex(el => el.classList.contains('active'))")
    for _ in range(index - max(active, 0)):
        field.press("ArrowDown")
    field.press("Enter")
    page.wait_for_function(
        "([id, value]) => document.getElementById(id).value === value", arg=[select_id, str(value)]
    )
