"""The start-up step that turns an existing Secret's password into the files our pods read.

redis reads `requirepass` only from its config, the exporter wants a JSON map,
and filebeat a YAML fragment; a Secret someone else made holds just the raw
password. So an init container reads the mounted key once, checks it against
redisPassword's rules (config/stack/model.py) and writes each file, escaped for its reader,
into a memory-backed emptyDir the main containers mount read-only.

The scripts are POSIX sh with od, awk and sed, so they run in busybox (redis'
alpine images) and in Debian's and Ubuntu's dash (redis' default images,
filebeat's). The checks work on the bytes: od turns the file into numbers and
awk decodes UTF-8 from those, so the password never reaches awk, a message, or
a command line, and locale settings cannot change what a byte means. A
refused value leaves no file behind and stops the pod with one line on stderr
(the init container's log, and `kubectl describe`'s last state) that names the
Secret and the rule, never the value.

"Control characters" are what neither reader can take inside a quoted string,
and what kubectl or an editor slip in: C0 and C1 controls, DEL, the Unicode
line and paragraph separators (line breaks to YAML 1.1), the byte-order mark
and the non-characters U+FFFE and U+FFFF, and any byte that is not UTF-8.
Python's `isprintable` (redisPassword's rule) also refuses rarer invisible
characters, such as unassigned code points, which would need a Unicode table
here; both readers take those as they are.
"""

# Checks the password file $3, or stops the pod; leaves it escaped in
# $escaped. $1 and $2 (the Secret's name and key) and $0 (the step's name)
# are for the messages. Kubernetes would expand $(NAME) for a NAME in the
# container's env, and $$, in a command: there is neither here.
_CHECK = r"""set -eu
umask 077
export LC_ALL=C
secret=$1 key=$2 source=$3
refuse() {
    printf '%s: the redis password in Secret %s, key %s, %s\n' "$0" "$secret" "$key" "$1" >&2
    exit 1
}
[ -r "$source" ] || refuse "cannot be read"
# At most 4 bytes a character: anything longer is refused unread.
size=$(wc -c < "$source" | tr -d ' ')
[ "$size" -le 2048 ] || refuse "is longer than 512 characters"
problem=$(od -An -v -t u1 "$source" | awk '
function fail(why) { print why; exit 1 }
{ for (i = 1; i <= NF; i++) byte[n++] = $i + 0 }
END {
    if (n > 0 && byte[n - 1] == 10)
        fail("ends with a line break (kubectl create secret --from-file keeps " \
             "the last newline of the file: use --from-literal, or strip it)")
    for (i = 0; i < n; i += width) {
        c = byte[i]
        if (c < 128) { code = c; width = 1 }
        else if (c >= 194 && c <= 223) { code = c - 192; width = 2 }
        else if (c >= 224 && c <= 239) { code = c - 224; width = 3 }
        else if (c >= 240 && c <= 244) { code = c - 240; width = 4 }
        else fail("is not UTF-8 text")
        for (j = 1; j < width; j++) {
            c = byte[i + j]
            if (i + j >= n || c < 128 || c > 191) fail("is not UTF-8 text")
            code = code * 64 + c - 128
        }
        if ((width == 3 && code < 2048) || (width == 4 && (code < 65536 || code > 1114111)) ||
            (code >= 55296 && code <= 57343))
            fail("is not UTF-8 text")
        if (code < 32 || (code >= 127 && code <= 159) || code == 8232 || code == 8233 ||
            code == 65279 || code == 65534 || code == 65535)
            fail("must not contain control characters or line breaks")
        if (previous == 36 && code == 123)
            fail("must not contain ${: filebeat would expand it as a variable")
        previous = code
        characters++
    }
    if (characters < 16 || characters > 512) fail("must be 16 to 512 characters long")
}') || refuse "$problem"
# Quoted as redis' config parser and a JSON or YAML double-quoted string all
# unquote it: a backslash and a double quote escaped, and the checks above
# leave nothing else that needs it (UTF-8 passes through as it is).
escaped=$(sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$source")
"""

REDIS_SCRIPT = _CHECK + r"""# $4: auth.conf, which redis.conf includes; $5: the password itself, for
# the probes; $6: the default user's ACL rules (redis/acl.py), or empty; $7
# and $8, with monitoring: the exporter's JSON file and the address it looks
# the password up by. With rules, the password goes into the user's line: a
# `user default` line would reset what requirepass set.
if [ -n "$6" ]; then
    printf 'user default ">%s" %s\n' "$escaped" "$6" > "$4"
else
    printf 'requirepass "%s"\n' "$escaped" > "$4"
fi
cat "$source" > "$5"
if [ "$#" -ge 8 ]; then
    printf '{"%s": "%s"}\n' "$8" "$escaped" > "$7"
fi
"""
"""For redis' init container: `sh -c REDIS_SCRIPT <name> <secret> <key> <source>
<auth.conf> <password> <acl rules or ""> [<exporter json> <redis uri>]`."""

FILEBEAT_SCRIPT = _CHECK + r"""# $4: the fragment filebeat merges with a second -c; $5: the password
# itself, for the readiness probe.
printf 'output.redis.password: "%s"\n' "$escaped" > "$4"
cat "$source" > "$5"
"""
"""For filebeat's init container: `sh -c FILEBEAT_SCRIPT <name> <secret> <key>
<source> <fragment> <password>`. Not an env var that filebeat expands: go-ucfg parses
an expanded value again, so a password with a comma would become a list."""
