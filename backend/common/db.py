"""Queries sent to the database together."""

from typing import Any

from django.db import connection


def fetch_together(queries: list[tuple[str, list[Any]]]) -> list[list[tuple]]:
    """The rows of each (sql, params), in order, every query returning rows. On
    PostgreSQL they go in one execute, so in one round trip: Django's psycopg cursors bind
    parameters on the client, which allows several statements in one query, and each
    result set is read in turn. SQLite, or server-side binding (an OPTIONS setting,
    which refuses several statements), runs them one after the other."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("server_side_binding"):
            results = []
            for sql, params in queries:
                cursor.execute(sql, params)
                results.append(cursor.fetchall())
            return results
        cursor.execute("; ".join(sql for sql, _ in queries), [value for _, params in queries for value in params])
        results = [cursor.fetchall()]
        while cursor.nextset():
            results.append(cursor.fetchall())
        return results
