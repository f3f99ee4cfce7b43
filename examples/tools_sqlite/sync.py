"""Python functions as tools: the agent answers questions about a local SQLite database.

Three ``@tool`` functions (list the tables, describe one, run a read-only SELECT) are given to
the thread with ``thread_start(tools=[...])``. When the model calls one, the SDK checks its
arguments against the type hints, runs the function here, and sends the result back; the calls
show up in ``result.items`` as ``dynamicToolCall`` items.

Run it:  python examples/tools_sqlite/sync.py ["your question"]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # finds the _offline helper

from _offline import example_config, scripted_tool_call, scripted_tool_report
from openai_codex import Codex, tool
from openai_codex.types import ThreadItem

TOP_QUERY = "SELECT name, price FROM products ORDER BY price DESC LIMIT 3"


def create_shop(path: Path) -> None:
    """A small database to ask about."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)")
        db.executemany(
            "INSERT INTO products (name, price) VALUES (?, ?)",
            [("kettle", 39.5), ("teapot", 24.0), ("mug", 8.25), ("grinder", 89.0), ("scale", 31.0)],
        )


def make_tools(path: Path) -> list[Any]:
    """The tools, bound to one database file (opened read-only for every call)."""

    def connect() -> sqlite3.Connection:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        return db

    @tool
    def list_tables() -> list[str]:
        """Lists the tables of the shop database."""
        print("[tool] list_tables()")
        with connect() as db:
            return [row["name"] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    @tool
    def describe_table(table: str) -> list[dict[str, Any]]:
        """The columns of one table: name, type, and whether they may be null.

        Args:
            table: a name from list_tables.
        """
        print(f"[tool] describe_table({table!r})")
        with connect() as db:
            columns = db.execute('SELECT name, type, "notnull" FROM pragma_table_info(?)', (table,)).fetchall()
        if not columns:
            raise LookupError(f"no table named {table!r}")
        return [{"name": c["name"], "type": c["type"], "nullable": not c["notnull"]} for c in columns]

    @tool(timeout=10)
    def query(sql: Annotated[str, "one SQL SELECT statement"], limit: int = 20) -> list[dict[str, Any]]:
        """Runs a read-only SQL query on the shop database and returns its rows.

        Args:
            limit: the most rows to return.
        """
        print(f"[tool] query({sql!r}, limit={limit})")
        if not sql.lstrip().lower().startswith(("select", "with")):
            raise ValueError("only SELECT queries are allowed")
        with connect() as db:  # mode=ro: a write would fail here anyway
            return [dict(row) for row in db.execute(sql).fetchmany(limit)]

    return [list_tables, describe_table, query]


def describe_calls(items: list[ThreadItem]) -> None:
    for item in items:
        entry = item.root  # the variant, typed by `type`
        if entry.type == "dynamicToolCall":
            print(f"  {entry.tool}: {entry.status.value}, success={entry.success}, {entry.duration_ms} ms")


def main() -> None:
    question = " ".join(sys.argv[1:]) or "Which three products cost the most?"
    # Offline, the scripted model calls the tools as a real one might, then reports what it got.
    script = (
        scripted_tool_call("list_tables"),
        scripted_tool_call("query", {"sql": TOP_QUERY}),
        scripted_tool_report("The three most expensive products: "),
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.db"
        create_shop(path)
        with example_config(*script) as config, Codex(config) as codex:
            thread = codex.thread_start(tools=make_tools(path))
            result = thread.run(question)
            print(f"you:   {question}")
            print(f"codex: {result.final_response}")
            print("tool calls:")
            describe_calls(result.items)


if __name__ == "__main__":
    main()
