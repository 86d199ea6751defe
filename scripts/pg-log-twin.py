"""Turns PostgreSQL's log of one request (log_min_duration_statement = 0) into a pgbench script.

Reads the log on stdin and keeps, in order, the statements that the given `user@database` ran:
simple queries as they are, prepared ones with their logged parameters written in as literals.
Prints a script for pgbench that runs them as the app role. Used by scripts/bench-twins.sh.
"""

import re
import sys

ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[\d+\] (\S+) (\w+):  (.*)$")
RAN = re.compile(r"duration: [\d.]+ ms  (?:execute [^:]+|statement): (.*)$", re.S)
PARAMETER = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")
PLACEHOLDER = re.compile(r"\$(\d+)")


def entries(lines, who):
    """The (severity, message) of each log entry of `who`, continuation lines joined back."""
    current = None
    for line in lines:
        line = line.rstrip("\n")
        match = ENTRY.match(line)
        if match:
            if current:
                yield current
            current = (match.group(2), match.group(3)) if match.group(1) == who else None
        elif current and line.startswith("\t"):
            current = (current[0], current[1] + "\n" + line[1:])
    if current:
        yield current


def statements(lines, who):
    pending = None
    for severity, message in entries(lines, who):
        if severity == "DETAIL" and pending is not None and message.startswith("parameters: "):
            values = dict(PARAMETER.findall(message))
            pending = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), pending)
            continue
        if pending is not None:
            yield pending
            pending = None
        ran = RAN.match(message) if severity == "LOG" else None
        if ran:
            pending = ran.group(1)
    if pending is not None:
        yield pending


def main():
    who = sys.argv[1]
    print("SET ROLE zhianbao_app;")
    for statement in statements(sys.stdin, who):
        print(" ".join(statement.split()) + ";")


main()
