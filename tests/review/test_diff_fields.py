"""`diff`'s field paths and values: named items keyed by name, odd keys quoted, values
on one short line, and file lines that look like a diff header kept as they are."""

from components.review.fields import ABSENT, FieldChange, field_changes, show, text_diff


def test_named_items_that_only_change_order_are_a_change():
    """A pod template whose containers swap places rolls the pods: say why."""
    old = {"containers": [{"name": "a"}, {"name": "b"}]}
    assert field_changes(old, {"containers": [{"name": "b"}, {"name": "a"}]}) == [
        FieldChange("containers (order)", ["a", "b"], ["b", "a"])]
    # One added in front moves the others' indexes, not their order.
    assert field_changes(old, {"containers": [{"name": "c"}, *old["containers"]]}) == [
        FieldChange("containers[c]", ABSENT, {"name": "c"})]


def test_field_paths_key_named_items_by_name_and_quote_odd_keys():
    old = {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}],
           "args": ["-e", "-v"], "annotations": {"checksum/config": "x"}, "gone": None}
    new = {"containers": [{"name": "b", "image": "2"}, {"name": "a", "image": "1"}],
           "args": ["-e"], "annotations": {"checksum/config": "y"}}
    assert [(c.path, c.old, c.new) for c in field_changes(old, new)] == [
        ("containers[b].image", "1", "2"),  # keyed by name, so b's index does not matter
        ("containers (order)", ["a", "b"], ["b", "a"]),  # but its place does
        ("args[1]", "-v", ABSENT),
        ('annotations["checksum/config"]', "x", "y"),
        ("gone", None, ABSENT),  # an explicit null is not an absent field
    ]


def test_values_are_shown_on_one_short_line():
    assert show("redis:7.4-alpine") == "redis:7.4-alpine"
    assert show("two words") == '"two words"'
    assert show(None) == "null" and show(ABSENT) == "(absent)" and show(3) == "3"
    assert show({"b": 1, "a": [1]}) == '{"a": [1], "b": 1}'
    assert len(show("x" * 1000)) == 160


def test_a_file_line_that_starts_like_a_diff_header_is_kept():
    change = FieldChange("data.sql", "-- drop\n---\nSELECT 1;\n", "drop\nSELECT 1;\n")
    assert [line for line in text_diff(change) if line[:1] in "+-"] == [
        "--- drop", "----", "+drop"]
