from bot.split import close_open_fence, open_fence, split_message


def test_short_text_is_one_page() -> None:
    assert split_message("hello", 2000) == ["hello"]
    assert split_message("", 10) == [""]
    assert split_message("x" * 5000, None) == ["x" * 5000]


def test_pages_respect_limit_and_keep_all_words() -> None:
    text = " ".join(f"word{n}" for n in range(2000))
    pages = split_message(text, 500)
    assert all(len(p) <= 500 for p in pages)
    assert " ".join(p.strip() for p in pages).split() == text.split()


def test_prefers_paragraph_breaks() -> None:
    text = "a" * 300 + "\n\n" + "b" * 300
    assert split_message(text, 400) == ["a" * 300, "b" * 300]


def test_code_block_is_closed_and_reopened_with_its_language() -> None:
    code = "\n".join(f"value_{n} = {n}" for n in range(200))
    text = f"Here is the code:\n\n```python\n{code}\n```\nDone."
    pages = split_message(text, 400)
    assert len(pages) > 3
    for page in pages:
        assert len(page) <= 400
        assert open_fence(page) is None, page
    for page in pages[1:-1]:
        assert page.startswith("```python\n")
    body = "".join(p.removeprefix("```python\n").removesuffix("\n```") for p in pages[1:])
    assert "value_199 = 199" in body and pages[-1].endswith("Done.")


def test_hard_split_without_spaces() -> None:
    pages = split_message("x" * 1000, 300)
    assert all(len(p) <= 300 for p in pages)
    assert "".join(pages) == "x" * 1000


def test_close_open_fence() -> None:
    assert close_open_fence("```python\nprint(1)") == "```python\nprint(1)\n```"
    assert close_open_fence("```\na\n```\ntext") == "```\na\n```\ntext"
    assert open_fence("~~~\ncode") == "~~~"
