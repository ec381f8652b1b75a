/* lesson — lesson files and typed calls, parsed once into steps. */
#include "lesson.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "states.h"
#include "text.h"
#include "words.h"
#include "i18n.h"

enum {
	LINE_MAX_BYTES = LESSON_LINE_MAX_BYTES,   /* longer lines are a mistake, not prose */
	FILE_MAX_BYTES = 1 << 20,       /* a lesson is a few KiB; refuse megabytes */
	REPEAT_MAX = 65536,             /* "x" * N */
};

/* ---- diagnostics ------------------------------------------------------ */

/* A token quoted in a message, for `%.*s%s`: its first TOKEN_SHOWN bytes,
 * then "..." when it is longer (a 1,000-byte word is not said again whole). */
enum { TOKEN_SHOWN = 40 };
#define TOKEN(len, text) (int)((size_t)(len) > TOKEN_SHOWN ? TOKEN_SHOWN : (size_t)(len)), (text), \
	((size_t)(len) > TOKEN_SHOWN ? "..." : "")

void diagnostics_init(struct diagnostics *diag, const char *file)
{
	memset(diag, 0, sizeof *diag);
	diag->file = file;
}

void diagnostics_done(struct diagnostics *diag)
{
	for (size_t i = 0; i < diag->count; i++)
		free(diag->messages[i]);
	free(diag->messages);
	free(diag->positions);
	diag->messages = NULL;
	diag->positions = NULL;
	diag->count = diag->capacity = 0;
}

void diagnostics_add(struct diagnostics *diag, struct source_pos pos, const char *format, ...)
{
	char *body = NULL, *message = NULL;
	va_list args;
	va_start(args, format);
	int ok = vasprintf(&body, format, args);
	va_end(args);
	if (ok < 0)
		return;
	if (pos.line > 0)
		ok = asprintf(&message, "%s:%d:%d: %s", diag->file, pos.line, pos.column, body);
	else
		ok = asprintf(&message, "%s: %s", diag->file, body);
	free(body);
	if (ok < 0)
		return;
	if (diag->count == diag->capacity) {
		size_t capacity = diag->capacity ? diag->capacity * 2 : 8;
		char **grown = realloc(diag->messages, capacity * sizeof *grown);
		if (grown)
			diag->messages = grown;
		struct source_pos *grown_positions =
			realloc(diag->positions, capacity * sizeof *grown_positions);
		if (grown_positions)
			diag->positions = grown_positions;
		if (!grown || !grown_positions) {
			free(message);
			return;
		}
		diag->capacity = capacity;
	}
	diag->positions[diag->count] = pos;
	diag->messages[diag->count++] = message;
}

/* Stable insertion sort of messages [from, count) by position: problems of
 * the text (found line by line first) and of the lesson (found later, some
 * only at the end) read in line order. */
static void diagnostics_sort(struct diagnostics *diag, size_t from)
{
	for (size_t i = from + 1; i < diag->count; i++) {
		char *message = diag->messages[i];
		struct source_pos pos = diag->positions[i];
		size_t k = i;
		while (k > from
		       && (diag->positions[k - 1].line > pos.line
			   || (diag->positions[k - 1].line == pos.line
			       && diag->positions[k - 1].column > pos.column))) {
			diag->messages[k] = diag->messages[k - 1];
			diag->positions[k] = diag->positions[k - 1];
			k--;
		}
		diag->messages[k] = message;
		diag->positions[k] = pos;
	}
}

static struct source_pos at(int line, int column)
{
	return (struct source_pos){ .line = line, .column = column };
}

static struct source_pos shifted(struct source_pos pos, size_t by)
{
	pos.column += (int)by;
	return pos;
}

/* ---- small scanners ---------------------------------------------------- */

static size_t skip_spaces(const char *text, size_t len, size_t i)
{
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return i;
}

static size_t trim_end(const char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	return len;
}

static bool is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t scan_name(const char *text, size_t len, size_t i)
{
	if (i >= len || !is_name_start(text[i]))
		return i;
	while (i < len && is_name_char(text[i]))
		i++;
	return i;
}

static bool parse_long(const char *text, size_t len, long *out)
{
	char buf[32];
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	long value = strtol(buf, &end, 10);
	if (errno || *end != '\0'
	    || !(isdigit((unsigned char)buf[0]) || (buf[0] == '-' && len > 1)))
		return false;
	*out = value;
	return true;
}

/* Whether a number given to a call fits what the kernel takes (an int,
 * or for flags 32 bits): the lab never cuts one silently. */
static bool number_fits(long number, long min, long max, struct source_pos pos,
			struct diagnostics *diag)
{
	if (number >= min && number <= max)
		return true;
	diagnostics_add(diag, pos, _("%ld is out of range: the kernel takes %ld to %ld here"),
			number, min, max);
	return false;
}

/* Splits `text` at top-level commas (outside quotes and brackets). Returns
 * the number of pieces (up to max); piece i is [starts[i], starts[i]+lens[i]),
 * trimmed. */
static int split_commas(const char *text, size_t len, size_t *starts, size_t *lens, int max)
{
	int count = 0;
	size_t start = 0;
	bool in_quote = false;
	int depth = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len) {
			char c = text[i];
			if (in_quote) {
				if (c == '\\' && i + 1 < len)
					i++;
				else if (c == '"')
					in_quote = false;
				continue;
			}
			if (c == '"')
				in_quote = true;
			else if (c == '[' || c == '(')
				depth++;
			else if ((c == ']' || c == ')') && depth > 0)
				depth--;
			if (c != ',' || depth > 0)
				continue;
		}
		if (count == max)
			return max + 1;
		size_t piece_start = skip_spaces(text, i, start);
		starts[count] = piece_start;
		lens[count] = trim_end(text + piece_start, i - piece_start);
		count++;
		start = i + 1;
	}
	return count;
}

/* ---- addresses --------------------------------------------------------- */

static bool parse_port(const char *text, size_t len, in_port_t *port)
{
	long value;
	if (!parse_long(text, len, &value) || value < 0 || value > 65535)
		return false;
	*port = htons((in_port_t)value);
	return true;
}

socklen_t address_parse(const char *text, size_t len, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof *out);
	if (len == 0)
		return 0;
	if (text[0] == '/' || text[0] == '@' || (len > 2 && text[0] == '.' && text[1] == '/')) {
		struct sockaddr_un *un = (struct sockaddr_un *)out;
		if (len >= sizeof un->sun_path)
			return 0;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, text, len);
		if (text[0] == '@') {
			un->sun_path[0] = '\0';   /* abstract namespace: no file */
			return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
		}
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	}
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_text;
	size_t host_len;
	if (text[0] == '[') {
		const char *close = memchr(text, ']', len);
		if (!close || close + 1 >= text + len || close[1] != ':')
			return 0;
		host_len = (size_t)(close - text - 1);
		if (host_len >= sizeof host)
			return 0;
		memcpy(host, text + 1, host_len);
		host[host_len] = '\0';
		port_text = close + 2;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;
		in6->sin6_family = AF_INET6;
		if (!parse_port(port_text, len - (size_t)(port_text - text), &in6->sin6_port))
			return 0;
		if (strcmp(host, "*") == 0 || strcmp(host, "::") == 0)
			in6->sin6_addr = in6addr_any;
		else if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return 0;
		return sizeof *in6;
	}
	const char *colon = memchr(text, ':', len);
	if (!colon)
		return 0;
	host_len = (size_t)(colon - text);
	if (host_len >= sizeof host)
		return 0;
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	struct sockaddr_in *in = (struct sockaddr_in *)out;
	in->sin_family = AF_INET;
	if (!parse_port(colon + 1, len - host_len - 1, &in->sin_port))
		return 0;
	if (strcmp(host, "*") == 0)
		in->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return 0;
	return sizeof *in;
}

/* A precise reason for an address that did not parse. */
static const char *address_problem(const char *text, size_t len)
{
	const char *colon = NULL;
	if (len > 0 && text[0] == '[') {
		const char *close = memchr(text, ']', len);
		if (!close)
			return _("an IPv6 address needs its closing ']'");
		if (close + 1 >= text + len || close[1] != ':')
			return _("an address needs a port after ']:'");
		colon = close + 1;
	} else {
		colon = memchr(text, ':', len);
		if (!colon)
			return _("an address needs a port: host:port, [v6]:port or /path");
	}
	long port;
	size_t port_len = len - (size_t)(colon + 1 - text);
	if (!parse_long(colon + 1, port_len, &port))
		return _("the port is not a number");
	if (port < 0 || port > 65535)
		return _("the port is out of range (0-65535)");
	return _("the host is not a numeric IPv4 or IPv6 address");
}

/* ---- typed calls ------------------------------------------------------- */

static int find_side(char sides[][NAME_MAX_LEN], int side_count, const char *name, size_t len)
{
	for (int i = 0; i < side_count; i++)
		if (strlen(sides[i]) == len && memcmp(sides[i], name, len) == 0)
			return i;
	return -1;
}

static bool scope_has(const struct name_scope *scope, int side, const char *name, size_t len)
{
	for (int i = 0; i < scope->count[side]; i++)
		if (strlen(scope->names[side][i]) == len
		    && memcmp(scope->names[side][i], name, len) == 0)
			return true;
	return false;
}

static int scope_add(struct name_scope *scope, int side, const char *name)
{
	if (scope_has(scope, side, name, strlen(name)))
		return 0;
	if (scope->count[side] >= 32)
		return -1;
	snprintf(scope->names[side][scope->count[side]++], NAME_MAX_LEN, "%s", name);
	return 0;
}

static void scope_list(const struct name_scope *scope, int side, char *out, size_t out_size)
{
	size_t at_ = 0;
	out[0] = '\0';
	for (int i = 0; i < scope->count[side] && at_ < out_size; i++)
		at_ += (size_t)snprintf(out + at_, out_size - at_, "%s%s", i ? ", " : "",
					scope->names[side][i]);
}

static void sides_list(char sides[][NAME_MAX_LEN], int side_count, char *out, size_t out_size)
{
	size_t at_ = 0;
	out[0] = '\0';
	for (int i = 0; i < side_count && at_ < out_size; i++)
		at_ += (size_t)snprintf(out + at_, out_size - at_, "%s%s", i ? ", " : "", sides[i]);
}

/* Decodes "..." with C escapes, optionally followed by `* N`. */
static int parse_bytes(const char *text, size_t len, struct source_pos pos, struct call_arg *arg,
		       struct diagnostics *diag)
{
	if (len < 2 || text[0] != '"') {
		diagnostics_add(diag, pos,
				_("expected bytes in double quotes, like \"Hello, world\""));
		return -1;
	}
	char *decoded = malloc(len + 1);
	if (!decoded)
		return -1;
	size_t out = 0, i = 1;
	for (; i < len && text[i] != '"'; i++) {
		char c = text[i];
		if (c != '\\') {
			decoded[out++] = c;
			continue;
		}
		if (++i >= len)
			break;
		static const char plain[] = "n\nr\rt\t0\0\\\\\"\"''";
		const char *found = NULL;
		for (size_t k = 0; k + 1 < sizeof plain; k += 2)
			if (plain[k] == text[i])
				found = &plain[k + 1];
		if (found) {
			decoded[out++] = *found;
		} else if (text[i] == 'x' && i + 2 < len && isxdigit((unsigned char)text[i + 1])
			   && isxdigit((unsigned char)text[i + 2])) {
			char hex[3] = { text[i + 1], text[i + 2], 0 };
			decoded[out++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			diagnostics_add(
				diag, shifted(pos, i - 1),
				_("unknown escape '\\%c' (use \\n \\r \\t \\0 \\\\ \\\" or \\xHH)"),
				isprint((unsigned char)text[i]) ? text[i] : '?');
			free(decoded);
			return -1;
		}
	}
	if (i >= len) {
		diagnostics_add(diag, pos, _("the bytes have no closing '\"'"));
		free(decoded);
		return -1;
	}
	size_t rest = skip_spaces(text, len, i + 1);
	long repeat = 1;
	if (rest < len) {
		size_t number = skip_spaces(text, len, rest + 1);
		if (text[rest] != '*' || !parse_long(text + number, len - number, &repeat)
		    || repeat < 1 || repeat > REPEAT_MAX) {
			diagnostics_add(
				diag, shifted(pos, rest),
				_("after the bytes, only '* N' may follow (N from 1 to %d)"),
				REPEAT_MAX);
			free(decoded);
			return -1;
		}
	}
	if (out * (size_t)repeat > REPEAT_MAX) {
		diagnostics_add(diag, pos, _("at most %d bytes in one call"), REPEAT_MAX);
		free(decoded);
		return -1;
	}
	char *bytes = malloc(out * (size_t)repeat + 1);
	if (!bytes) {
		free(decoded);
		return -1;
	}
	for (long r = 0; r < repeat; r++)
		memcpy(bytes + (size_t)r * out, decoded, out);
	free(decoded);
	arg->bytes_len = out * (size_t)repeat;
	bytes[arg->bytes_len] = '\0';
	arg->bytes = bytes;
	return 0;
}

/* Constant expression: TERM ('|' TERM)*, each a number or a constant of
 * the argument's kind. */
static int parse_constants(const char *text, size_t len, struct source_pos pos, enum arg_kind kind,
			   struct call_arg *arg, struct diagnostics *diag)
{
	long value = 0;
	size_t i = 0;
	for (;;) {
		size_t start = skip_spaces(text, len, i), end = start;
		while (end < len && text[end] != '|')
			end++;
		size_t term_len = trim_end(text + start, end - start);
		long number;
		if (term_len == 0) {
			diagnostics_add(diag, shifted(pos, start), _("expected %s"),
					catalog_arg_kind_name(kind));
			return -1;
		}
		if (parse_long(text + start, term_len, &number)) {
			if (!number_fits(number, INT_MIN, UINT32_MAX, shifted(pos, start), diag))
				return -1;
			value |= number;
		} else {
			const struct constant_def *constant =
				catalog_find_constant(kind, text + start, term_len);
			if (!constant) {
				const struct constant_def *other =
					catalog_find_any_constant(text + start, term_len);
				if (other)
					diagnostics_add(diag, shifted(pos, start),
							_("%.*s%s is %s, but this argument is %s"),
							TOKEN(term_len, text + start),
							catalog_arg_kind_name(other->kind),
							catalog_arg_kind_name(kind));
				else
					diagnostics_add(diag, shifted(pos, start),
							_("unknown constant '%.*s%s': expected %s"),
							TOKEN(term_len, text + start),
							catalog_arg_kind_name(kind));
				return -1;
			}
			value |= constant->value;
		}
		if (end >= len)
			break;
		i = end + 1;
	}
	arg->number = value;
	return 0;
}

static int parse_arg(const char *text, size_t len, struct source_pos pos, enum arg_kind kind,
		     int side, const struct name_scope *scope, struct call_arg *arg,
		     struct diagnostics *diag)
{
	arg->kind = kind;
	arg->pos = pos;
	if (len == 0) {
		diagnostics_add(diag, pos, _("missing argument: expected %s"),
				catalog_arg_kind_name(kind));
		return -1;
	}
	switch (kind) {
	case ARG_SOCKET:
		if (parse_long(text, len, &arg->number))
			return number_fits(arg->number, INT_MIN, INT_MAX, pos, diag) ? 0 : -1;
		if (scan_name(text, len, 0) != len || len >= NAME_MAX_LEN) {
			diagnostics_add(diag, pos, _("expected %s, got '%.*s%s'"),
					catalog_arg_kind_name(kind), TOKEN(len, text));
			return -1;
		}
		if (scope && !scope_has(scope, side, text, len)) {
			char known[256];
			scope_list(scope, side, known, sizeof known);
			diagnostics_add(diag, pos, _("unknown socket name '%.*s%s' (%s)"),
					TOKEN(len, text),
					known[0] ? known
						 : _("no socket has a name yet on this side"));
			return -1;
		}
		memcpy(arg->socket_name, text, len);
		arg->socket_name[len] = '\0';
		arg->number = -1;
		return 0;
	case ARG_INT:
		if (!parse_long(text, len, &arg->number)) {
			diagnostics_add(diag, pos, _("expected a number, got '%.*s%s'"),
					TOKEN(len, text));
			return -1;
		}
		return number_fits(arg->number, INT_MIN, INT_MAX, pos, diag) ? 0 : -1;
	case ARG_ADDRESS:
		arg->address_len = address_parse(text, len, &arg->address);
		if (arg->address_len == 0) {
			diagnostics_add(diag, pos, _("malformed address '%.*s%s': %s"),
					TOKEN(len, text), address_problem(text, len));
			return -1;
		}
		return 0;
	case ARG_BYTES:
		return parse_bytes(text, len, pos, arg, diag);
	case ARG_PATH:
		if (text[0] == '"')
			return parse_bytes(text, len, pos, arg, diag);
		if (text[0] != '/' && !(len > 2 && text[0] == '.' && text[1] == '/')) {
			diagnostics_add(diag, pos, _("expected %s"), catalog_arg_kind_name(kind));
			return -1;
		}
		arg->bytes = text_dup(text, len);
		arg->bytes_len = len;
		return arg->bytes ? 0 : -1;
	case ARG_SIDE:
		/* Checked against the lesson's sides by typed_call_parse. */
		if (scan_name(text, len, 0) != len || len >= NAME_MAX_LEN) {
			diagnostics_add(diag, pos, _("expected %s, got '%.*s%s'"),
					catalog_arg_kind_name(kind), TOKEN(len, text));
			return -1;
		}
		memcpy(arg->socket_name, text, len);
		arg->socket_name[len] = '\0';
		return 0;
	default:
		return parse_constants(text, len, pos, kind, arg, diag);
	}
}

void typed_call_done(struct typed_call *call)
{
	for (int i = 0; i < CALL_MAX_ARGS; i++) {
		free(call->args[i].bytes);
		call->args[i].bytes = NULL;
	}
	free(call->text);
	call->text = NULL;
}

int typed_call_parse(const char *text, size_t len, struct source_pos pos,
		     char sides[][NAME_MAX_LEN], int side_count, struct name_scope *scope,
		     struct typed_call *out, struct diagnostics *diag)
{
	memset(out, 0, sizeof *out);
	out->pos = pos;
	len = trim_end(text, len);
	size_t i = skip_spaces(text, len, 0);
	size_t side_end = scan_name(text, len, i);
	if (side_end == i || side_end >= len || text[side_end] != ':') {
		char known[128];
		sides_list(sides, side_count, known, sizeof known);
		diagnostics_add(diag, shifted(pos, i),
				_("expected 'side: call(...)', where side is one of: %s"), known);
		return -1;
	}
	out->side = find_side(sides, side_count, text + i, side_end - i);
	if (out->side < 0) {
		char known[128];
		sides_list(sides, side_count, known, sizeof known);
		diagnostics_add(diag, shifted(pos, i), _("unknown side '%.*s%s' (sides: %s)"),
				TOKEN((side_end - i), text + i), known);
		return -1;
	}
	i = skip_spaces(text, len, side_end + 1);
	size_t call_start = i;
	size_t name_end = scan_name(text, len, i);
	size_t after = skip_spaces(text, len, name_end);
	if (name_end > i && after < len && text[after] == '=') {
		if (name_end - i >= NAME_MAX_LEN) {
			diagnostics_add(diag, shifted(pos, i),
					_("the name '%.*s%s' is longer than %d characters"),
					TOKEN((name_end - i), text + i), NAME_MAX_LEN - 1);
			return -1;
		}
		memcpy(out->result_name, text + i, name_end - i);
		i = skip_spaces(text, len, after + 1);
		name_end = scan_name(text, len, i);
	}
	size_t open = skip_spaces(text, len, name_end);
	if (name_end == i) {
		diagnostics_add(diag, shifted(pos, i),
				_("expected a call, like socket(AF_INET, SOCK_STREAM)"));
		return -1;
	}
	out->def = catalog_find_call(text + i, name_end - i);
	if (!out->def) {
		const char *suggestion = catalog_suggest_call(text + i, name_end - i);
		if (suggestion)
			diagnostics_add(diag, shifted(pos, i),
					_("unknown call '%.*s%s' (did you mean '%s'?)"),
					TOKEN((name_end - i), text + i), suggestion);
		else
			diagnostics_add(diag, shifted(pos, i), _("unknown call '%.*s%s'"),
					TOKEN((name_end - i), text + i));
		return -1;
	}
	if (out->def->program_only) {
		diagnostics_add(diag, shifted(pos, i),
				_("%s() is shown when a traced program makes it (socklab step); a "
				  "lesson cannot write it"),
				out->def->name);
		return -1;
	}
	if (open >= len || text[open] != '(') {
		diagnostics_add(diag, shifted(pos, open), _("expected '(' after %s"),
				out->def->name);
		return -1;
	}
	if (text[len - 1] != ')') {
		diagnostics_add(diag, shifted(pos, len),
				_("expected ')' at the end of the call: %s"), out->def->usage);
		return -1;
	}
	if (out->result_name[0] && !out->def->names_result) {
		diagnostics_add(diag, shifted(pos, call_start),
				_("%s() returns no socket to name: write just %s"), out->def->name,
				out->def->usage);
		return -1;
	}
	size_t args_start = open + 1, args_len = len - 1 - args_start;
	size_t starts[CALL_MAX_ARGS + 1], lens[CALL_MAX_ARGS + 1];
	int count = 0;
	if (skip_spaces(text + args_start, args_len, 0) < args_len)
		count = split_commas(text + args_start, args_len, starts, lens, CALL_MAX_ARGS);
	if (count < out->def->min_args || count > out->def->max_args) {
		char range[32];
		if (out->def->max_args == out->def->min_args)
			snprintf(range, sizeof range, "%d", out->def->min_args);
		else
			snprintf(range, sizeof range, _("%d or %d"), out->def->min_args,
				 out->def->max_args);
		unsigned long most = (unsigned long)out->def->max_args;
		diagnostics_add(diag, shifted(pos, open),
				count > CALL_MAX_ARGS
					? ngettext("%s takes %s argument, got more than %d: %s",
						   "%s takes %s arguments, got more than %d: %s",
						   most)
					: ngettext("%s takes %s argument, got %d: %s",
						   "%s takes %s arguments, got %d: %s", most),
				out->def->name, range,
				count > CALL_MAX_ARGS ? CALL_MAX_ARGS : count, out->def->usage);
		return -1;
	}
	int failed = 0;
	for (int a = 0; a < count; a++)
		if (parse_arg(text + args_start + starts[a], lens[a],
			      shifted(pos, args_start + starts[a]), out->def->args[a], out->side,
			      scope, &out->args[a], diag) < 0)
			failed = -1;
	out->arg_count = count;
	for (int a = 0; a < count && !failed; a++) {
		struct call_arg *arg = &out->args[a];
		if (arg->kind != ARG_SIDE)
			continue;
		arg->number =
			find_side(sides, side_count, arg->socket_name, strlen(arg->socket_name));
		if (arg->number < 0 || arg->number == out->side) {
			char known[128];
			sides_list(sides, side_count, known, sizeof known);
			diagnostics_add(diag, arg->pos,
					arg->number < 0 ? _("unknown side '%s' (sides: %s)")
							: _("a side cannot fork into itself: name "
							    "another side (sides: %s%s)"),
					arg->number < 0 ? arg->socket_name : "", known);
			failed = -1;
		} else if (scope) {
			/* The child starts with the parent's fds, and so its names. */
			for (int n = 0; n < scope->count[out->side]; n++)
				scope_add(scope, (int)arg->number, scope->names[out->side][n]);
		}
	}
	if (failed) {
		typed_call_done(out);
		return -1;
	}
	out->text = text_dup(text + call_start, len - call_start);
	if (!out->text)
		return -1;
	if (scope && out->result_name[0] && scope_add(scope, out->side, out->result_name) < 0) {
		diagnostics_add(
			diag, shifted(pos, call_start),
			_("at most 32 socket names on one side: reuse '%s' or an fd number"),
			out->result_name);
		typed_call_done(out);
		return -1;
	}
	return 0;
}

/* ---- expectations ----------------------------------------------------- */

int lesson_state_value(const char *name, size_t len)
{
	return states_value(name, len);
}

/* A value expectation: fd | blocks | N | -1 ENAME | "bytes". */
static int parse_value_expectation(const char *text, size_t len, struct source_pos pos,
				   struct expectation *e, struct diagnostics *diag)
{
	long number;
	if (len == 2 && memcmp(text, "fd", 2) == 0) {
		e->kind = EXPECT_FD;
		return 0;
	}
	if (len == 6 && memcmp(text, "blocks", 6) == 0) {
		e->kind = EXPECT_BLOCKS;
		return 0;
	}
	if (text[0] == '"') {
		struct call_arg arg = { 0 };
		if (parse_bytes(text, len, pos, &arg, diag) < 0)
			return -1;
		e->kind = EXPECT_BYTES;
		e->bytes = arg.bytes;
		e->bytes_len = arg.bytes_len;
		return 0;
	}
	if (len > 6 && memcmp(text, "value ", 6) == 0) {
		size_t start = skip_spaces(text, len, 6);
		if (!parse_long(text + start, len - start, &number)) {
			diagnostics_add(diag, shifted(pos, start),
					_("after 'value', expected a number"));
			return -1;
		}
		e->kind = EXPECT_VALUE;
		e->value = number;
		return 0;
	}
	if (len > 6 && memcmp(text, "ready ", 6) == 0) {
		/* The fds a readiness call reports, as the transcript shows them. */
		size_t start = skip_spaces(text, len, 6);
		struct call_arg arg = { 0 };
		if (text[start] != '"') {
			diagnostics_add(diag, shifted(pos, start),
					_("after 'ready', expected the ready fds in quotes, like "
					  "\"conn1 POLLIN, ls POLLIN\""));
			return -1;
		}
		if (parse_bytes(text + start, len - start, shifted(pos, start), &arg, diag) < 0)
			return -1;
		e->kind = EXPECT_READY;
		e->bytes = arg.bytes;
		e->bytes_len = arg.bytes_len;
		return 0;
	}
	if (len > 5 && memcmp(text, "from ", 5) == 0) {
		size_t start = skip_spaces(text, len, 5);
		e->address_len = address_parse(text + start, len - start, &e->address);
		if (e->address_len == 0) {
			diagnostics_add(diag, shifted(pos, start),
					_("malformed address '%.*s%s': %s"),
					TOKEN((len - start), text + start),
					address_problem(text + start, len - start));
			return -1;
		}
		e->kind = EXPECT_ADDRESS;
		return 0;
	}
	if (len > 3 && memcmp(text, "-1 ", 3) == 0) {
		size_t start = skip_spaces(text, len, 3);
		int error = catalog_errno_value(text + start, len - start);
		if (error < 0) {
			diagnostics_add(diag, shifted(pos, start), _("unknown errno name '%.*s%s'"),
					TOKEN((len - start), text + start));
			return -1;
		}
		e->kind = EXPECT_ERROR;
		e->error = error;
		return 0;
	}
	if (parse_long(text, len, &number)) {
		e->kind = EXPECT_RETURN;
		e->value = number;
		return 0;
	}
	return 1; /* not a value: maybe a state */
}

/* SIDE NAME STATE [rq N] [wq N]  |  SIDE (accept queue) STATE ... */
static int parse_state_expectation(const char *text, size_t len, struct source_pos pos,
				   const struct lesson *lesson, const struct name_scope *scope,
				   struct expectation *e, struct diagnostics *diag)
{
	size_t side_end = scan_name(text, len, 0);
	e->side =
		find_side((char(*)[NAME_MAX_LEN])lesson->sides, lesson->side_count, text, side_end);
	if (side_end == 0 || e->side < 0) {
		diagnostics_add(diag, pos,
				_("unknown expectation '%.*s%s' (expected fd, blocks, a number, -1 "
				  "ERRNO, \"bytes\", value N, from ADDRESS, ready \"FDS\", SIDE "
				  "returns VALUE, or SIDE NAME STATE)"),
				TOKEN(len, text));
		return -1;
	}
	size_t i = skip_spaces(text, len, side_end);
	if (len - i >= 7 && memcmp(text + i, "returns", 7) == 0
	    && (i + 7 == len || text[i + 7] == ' ')) {
		size_t value = skip_spaces(text, len, i + 7);
		e->woken_side = e->side;
		/* "... within Nms": the call may return on a kernel timer. */
		const char *within =
			len > value ? memmem(text + value, len - value, " within ", 8) : NULL;
		size_t value_len = within ? (size_t)(within - text) - value : len - value;
		if (within) {
			size_t number = skip_spaces(text, len, (size_t)(within - text) + 8),
			       end = len;
			if (end - number > 2 && memcmp(text + end - 2, "ms", 2) == 0)
				end -= 2;
			while (end > number && text[end - 1] == ' ')
				end--;
			if (!parse_long(text + number, end - number, &e->within_ms)
			    || e->within_ms < 1 || e->within_ms > 5000) {
				diagnostics_add(diag, shifted(pos, number),
						_("after 'within', expected N ms (1 to 5000)"));
				return -1;
			}
		}
		int result = value < len ? parse_value_expectation(text + value, value_len,
								   shifted(pos, value), e, diag)
					 : 1;
		if (result == 0 && e->kind == EXPECT_BLOCKS)
			result = 1;
		if (result > 0)
			diagnostics_add(
				diag, shifted(pos, value),
				_("after 'returns', expected fd, a number, -1 ERRNO or \"bytes\""));
		return result == 0 ? 0 : -1;
	}
	e->kind = EXPECT_STATE;
	e->recv_queue = e->send_queue = -1;
	static const char accept_queue[] = "(accept queue)", handshake[] = "(handshake)";
	size_t name_end;
	if (len - i >= sizeof accept_queue - 1
	    && memcmp(text + i, accept_queue, sizeof accept_queue - 1) == 0) {
		e->ref = REF_ACCEPT_QUEUE;
		name_end = i + sizeof accept_queue - 1;
	} else if (len - i >= sizeof handshake - 1
		   && memcmp(text + i, handshake, sizeof handshake - 1) == 0) {
		e->ref = REF_HANDSHAKE;
		name_end = i + sizeof handshake - 1;
	} else {
		name_end = scan_name(text, len, i);
		if (name_end == i || name_end - i >= NAME_MAX_LEN) {
			diagnostics_add(diag, shifted(pos, i),
					_("expected a socket name, (accept queue) or (handshake) "
					  "after '%s'"),
					lesson->sides[e->side]);
			return -1;
		}
		if (!scope_has(scope, e->side, text + i, name_end - i)) {
			char known[256];
			scope_list(scope, e->side, known, sizeof known);
			diagnostics_add(diag, shifted(pos, i),
					_("unknown socket name '%.*s%s' for %s (%s)"),
					TOKEN((name_end - i), text + i), lesson->sides[e->side],
					known[0] ? known : _("none named yet"));
			return -1;
		}
		e->ref = REF_NAME;
		memcpy(e->socket_name, text + i, name_end - i);
	}
	size_t state_start = skip_spaces(text, len, name_end), state_end = state_start;
	while (state_end < len && text[state_end] != ' ')
		state_end++;
	e->state = lesson_state_value(text + state_start, state_end - state_start);
	if (e->state < 0) {
		diagnostics_add(diag, shifted(pos, state_start),
				_("unknown state '%.*s%s' (LISTEN, SYN-SENT, SYN-RECV, "
				  "ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, LAST-ACK, "
				  "CLOSING, TIME-WAIT, UNCONN, BOUND, gone)"),
				TOKEN((state_end - state_start), text + state_start));
		return -1;
	}
	i = skip_spaces(text, len, state_end);
	while (i < len) {
		static const char unless[] = "unless its timer ran out";
		if (len - i >= sizeof unless - 1 && memcmp(text + i, unless, sizeof unless - 1) == 0
		    && (i + sizeof unless - 1 == len || text[i + sizeof unless - 1] == ' ')) {
			if (e->ref != REF_NAME) {
				/* The lab keeps a clock for the sockets steps name. */
				diagnostics_add(diag, shifted(pos, i),
						_("'unless its timer ran out' needs a socket named "
						  "by a step"));
				return -1;
			}
			e->unless_timer = true;
			i = skip_spaces(text, len, i + sizeof unless - 1);
			continue;
		}
		size_t word_end = scan_name(text, len, i);
		size_t number = skip_spaces(text, len, word_end), number_end = number;
		while (number_end < len && text[number_end] != ' ')
			number_end++;
		long value;
		bool is_rq = word_end - i == 2 && memcmp(text + i, "rq", 2) == 0;
		bool is_wq = word_end - i == 2 && memcmp(text + i, "wq", 2) == 0;
		bool is_within = word_end - i == 6 && memcmp(text + i, "within", 6) == 0;
		size_t digits = number_end;
		if (is_within && number_end - number > 2
		    && memcmp(text + number_end - 2, "ms", 2) == 0) {
			digits = number_end - 2;
		} else if (is_within) {
			/* "within 500 ms", as the message below writes it */
			size_t unit = skip_spaces(text, len, number_end);
			if (len - unit >= 2 && memcmp(text + unit, "ms", 2) == 0
			    && (unit + 2 == len || text[unit + 2] == ' ')) {
				digits = number_end;
				number_end = unit + 2;
			}
		}
		if ((!is_rq && !is_wq && !is_within) || (is_within && digits == number_end)
		    || !parse_long(text + number, digits - number, &value) || value < 0
		    || (is_within && (value < 1 || value > 5000))) {
			diagnostics_add(diag, shifted(pos, i),
					_("after the state, expected 'rq N', 'wq N', 'within N ms' "
					  "(1 to 5000 ms) or 'unless its timer ran out'"));
			return -1;
		}
		*(is_rq ? &e->recv_queue : is_wq ? &e->send_queue : &e->within_ms) = value;
		i = skip_spaces(text, len, number_end);
	}
	return 0;
}

static int parse_expectations(const char *text, size_t len, struct source_pos pos,
			      const struct lesson *lesson, const struct name_scope *scope,
			      struct lesson_step *step, bool after_wake, struct diagnostics *diag)
{
	size_t starts[16], lens[16];
	int count = split_commas(text, len, starts, lens, 15);
	if (count > 15) {
		diagnostics_add(diag, pos, _("at most 15 expectations on one line"));
		return -1;
	}
	struct expectation *grown =
		realloc(step->expects, (step->expect_count + (size_t)count) * sizeof *grown);
	if (!grown)
		return -1;
	step->expects = grown;
	int failed = 0;
	for (int k = 0; k < count; k++) {
		struct expectation *e = &step->expects[step->expect_count];
		memset(e, 0, sizeof *e);
		e->woken_side = -1;
		e->after_wake = after_wake;
		e->pos = shifted(pos, starts[k]);
		const char *item = text + starts[k];
		if (lens[k] == 0) {
			diagnostics_add(diag, e->pos, _("empty expectation"));
			failed = -1;
			continue;
		}
		int result = parse_value_expectation(item, lens[k], e->pos, e, diag);
		if (result > 0)
			result = parse_state_expectation(item, lens[k], e->pos, lesson, scope, e,
							 diag);
		if (result < 0) {
			failed = -1;
			continue;
		}
		step->expect_count++;
	}
	return failed;
}

/* ---- lesson files ------------------------------------------------------ */

/* The file as lines, checked for what makes a text file a lesson file. */
struct line {
	const char *text;
	size_t len;
	int indent;      /* leading spaces (a tab is an error) */
	bool blank;
};

/* The offset of the first byte that is not well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or (size_t)-1. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		unsigned char low = 0x80, high = 0xbf;   /* the range of the second byte */
		size_t need;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			low = c == 0xe0 ? 0xa0 : 0x80;
			high = c == 0xed ? 0x9f : 0xbf;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			low = c == 0xf0 ? 0x90 : 0x80;
			high = c == 0xf4 ? 0x8f : 0xbf;
		} else {
			return i;
		}
		if (len - i <= need || s[i + 1] < low || s[i + 1] > high)
			return i;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		i += need + 1;
	}
	return (size_t)-1;
}

static struct line *split_lines(const char *text, size_t len, size_t *count,
				struct diagnostics *diag)
{
	size_t capacity = 1;
	for (size_t i = 0; i < len; i++)
		capacity += text[i] == '\n';
	struct line *lines = calloc(capacity, sizeof *lines);
	if (!lines)
		return NULL;
	size_t n = 0, start = 0;
	bool crlf_reported = false;
	while (start < len) {
		const char *newline = memchr(text + start, '\n', len - start);
		size_t end = newline ? (size_t)(newline - text) : len;
		struct line *line = &lines[n++];
		line->text = text + start;
		line->len = end - start;
		int number = (int)n;
		if (line->len > 0 && line->text[line->len - 1] == '\r') {
			line->len--;
			if (!crlf_reported)
				diagnostics_add(diag, at(number, (int)line->len + 1),
						_("line ends with CRLF (\\r\\n): save the file "
						  "with Unix line endings (\\n)"));
			crlf_reported = true;
		}
		if (line->len > LINE_MAX_BYTES)
			diagnostics_add(diag, at(number, LINE_MAX_BYTES + 1),
					_("line is longer than %d bytes"), LINE_MAX_BYTES);
		size_t bad = utf8_invalid_at((const unsigned char *)line->text, line->len);
		if (bad != (size_t)-1)
			diagnostics_add(diag, at(number, (int)bad + 1), _("invalid UTF-8"));
		size_t i = 0;
		while (i < line->len && line->text[i] == ' ')
			i++;
		line->indent = (int)i;
		line->blank = trim_end(line->text, line->len) <= i || line->text[i] == '#';
		if (i < line->len && line->text[i] == '\t') {
			diagnostics_add(diag, at(number, (int)i + 1),
					_("a tab in the indentation: indent with spaces"));
			line->blank = true;   /* said once; reading it as anything would
			                         only add noise */
		}
		start = end + 1;
	}
	*count = n;
	return lines;
}

/* Joins the indented block after `first` (lines deeper than `indent`),
 * removing the block's common indentation. */
static char *take_block(const struct line *lines, size_t count, size_t *index, int indent,
			const char *inline_text, size_t inline_len)
{
	size_t end = *index + 1, last = *index;
	int common = INT_MAX;
	for (; end < count; end++) {
		if (lines[end].blank
		    && !(lines[end].indent > indent && (size_t)lines[end].indent < lines[end].len
			 && lines[end].text[lines[end].indent] == '#'))
			continue;
		if (lines[end].indent <= indent)
			break;
		last = end;
		if (lines[end].indent < common)
			common = lines[end].indent;
	}
	size_t total = inline_len + 2;
	for (size_t i = *index + 1; i <= last; i++)
		total += lines[i].len + 1;
	char *out = malloc(total);
	if (!out)
		return NULL;
	size_t at_ = 0;
	if (inline_len) {
		memcpy(out, inline_text, inline_len);
		at_ = inline_len;
	}
	for (size_t i = *index + 1; i <= last; i++) {
		const struct line *line = &lines[i];
		size_t len = trim_end(line->text, line->len);
		size_t skip = (size_t)common < len ? (size_t)common : len;
		if (at_ > 0)
			out[at_++] = '\n';
		memcpy(out + at_, line->text + skip, len - skip);
		at_ += len - skip;
	}
	out[at_] = '\0';
	*index = last;
	return out;
}

static const char *const top_directives[] = { "lesson", "title", "sides",  "intro",
					      "step",   "wire",  "program" };
static const char *const step_directives[] = { "expect", "then",     "python",
					       "say",    "then-say", "needs" };

static int parse_sides(struct lesson *lesson, const char *text, size_t len, struct source_pos pos,
		       struct diagnostics *diag);

/* `program SIDE: COMMAND`: that side is an unmodified program. */
static void parse_program(struct lesson *lesson, const char *text, size_t len, int number,
			  bool saw_step, struct diagnostics *diag)
{
	size_t name = skip_spaces(text, len, 7);
	const char *colon = memchr(text + name, ':', len - name);
	if (saw_step) {
		diagnostics_add(diag, at(number, 1), _("program must come before the first step"));
		return;
	}
	if (!colon) {
		diagnostics_add(diag, at(number, (int)name + 1),
				_("a program reads 'program SIDE: COMMAND'"));
		return;
	}
	size_t name_len = (size_t)(colon - (text + name));
	while (name_len > 0 && text[name + name_len - 1] == ' ')
		name_len--;
	if (lesson->side_count == 0)
		parse_sides(lesson, "server client", 13, at(number, 1), diag);
	int side = find_side(lesson->sides, lesson->side_count, text + name, name_len);
	if (side < 0) {
		diagnostics_add(diag, at(number, (int)name + 1),
				_("unknown side '%.*s%s' (sides: must name it first)"),
				TOKEN(name_len, text + name));
		return;
	}
	size_t command = skip_spaces(text, len, (size_t)(colon - text) + 1);
	if (command == len) {
		diagnostics_add(diag, at(number, (int)command + 1),
				_("program %s: needs a command to run"), lesson->sides[side]);
		return;
	}
	char *program = text_dup(text + command, len - command);
	struct words words;
	char *why = NULL;
	size_t column = 1;
	if (!program || words_split(&words, program, NULL, &why, &column) < 0) {
		diagnostics_add(diag, at(number, (int)(command + column)), _("program %s: %s"),
				lesson->sides[side], why ? why : _("out of memory"));
		free(why);
		free(program);
		return;
	}
	words_done(&words);
	free(lesson->programs[side]);
	lesson->programs[side] = program;
}

static const char *suggest(const char *const *words, size_t count, const char *word, size_t len)
{
	for (size_t i = 0; i < count; i++) {
		size_t wlen = strlen(words[i]);
		size_t common = 0;
		while (common < len && common < wlen && word[common] == words[i][common])
			common++;
		if (common >= 2 || (len > 2 && memmem(words[i], wlen, word, len >= 3 ? 3 : len)))
			return words[i];
	}
	return NULL;
}

/* "key: value" at the start of a line; returns the key length or 0. */
static size_t directive_key(const char *text, size_t len)
{
	size_t end = 0;
	while (end < len
	       && (isalnum((unsigned char)text[end]) || text[end] == '-' || text[end] == '_'))
		end++;
	return end;
}

static int parse_sides(struct lesson *lesson, const char *text, size_t len, struct source_pos pos,
		       struct diagnostics *diag)
{
	lesson->side_count = 0;
	size_t i = skip_spaces(text, len, 0);
	while (i < len) {
		size_t end = scan_name(text, len, i);
		if (end == i || (end < len && text[end] != ' ')) {
			diagnostics_add(
				diag, shifted(pos, i),
				_("sides are names separated by spaces, like: server client"));
			return -1;
		}
		if (end - i >= NAME_MAX_LEN || lesson->side_count == LESSON_MAX_SIDES) {
			diagnostics_add(diag, shifted(pos, i),
					_("at most %d sides of at most %d characters"),
					LESSON_MAX_SIDES, NAME_MAX_LEN - 1);
			return -1;
		}
		if (find_side(lesson->sides, lesson->side_count, text + i, end - i) >= 0) {
			diagnostics_add(diag, shifted(pos, i), _("side '%.*s%s' is named twice"),
					TOKEN((end - i), text + i));
			return -1;
		}
		memcpy(lesson->sides[lesson->side_count], text + i, end - i);
		lesson->sides[lesson->side_count][end - i] = '\0';
		lesson->side_count++;
		i = skip_spaces(text, len, end);
	}
	if (lesson->side_count == 0) {
		diagnostics_add(diag, pos, _("sides: needs at least one name"));
		return -1;
	}
	return 0;
}

static int append_step(struct lesson *lesson)
{
	struct lesson_step *grown =
		realloc(lesson->steps, (lesson->step_count + 1) * sizeof *grown);
	if (!grown)
		return -1;
	lesson->steps = grown;
	memset(&lesson->steps[lesson->step_count], 0, sizeof *grown);
	lesson->step_count++;
	return 0;
}

/* Lines under a step: expect:, python:, say: */
static void parse_step_line(struct lesson *lesson, struct lesson_step *step,
			    const struct line *lines, size_t count, size_t *index,
			    const struct name_scope *scope, struct diagnostics *diag)
{
	const struct line *line = &lines[*index];
	int number = (int)*index + 1;
	const char *text = line->text + line->indent;
	size_t len = trim_end(text, line->len - (size_t)line->indent);
	size_t key = directive_key(text, len);
	struct source_pos pos = at(number, line->indent + 1);
	if (key == len || text[key] != ':') {
		diagnostics_add(diag, pos,
				_("expected 'expect:', 'then:', 'python:' or 'say:' under a step"));
		return;
	}
	size_t value = skip_spaces(text, len, key + 1);
	struct source_pos value_pos = shifted(pos, value);
	bool is_then = key == 4 && memcmp(text, "then", 4) == 0;
	if ((key == 6 && memcmp(text, "expect", 6) == 0) || is_then) {
		if (value == len)
			diagnostics_add(diag, value_pos,
					_("%.*s%s: needs at least one expectation"),
					TOKEN(key, text));
		else
			parse_expectations(text + value, len - value, value_pos, lesson, scope,
					   step, is_then, diag);
	} else if (key == 5 && memcmp(text, "needs", 5) == 0) {
		if (len - value == 13 && memcmp(text + value, "private-netns", 13) == 0)
			step->needs_private_netns = true;
		else
			diagnostics_add(diag, value_pos,
					_("needs: takes 'private-netns' (the step is skipped on "
					  "the host path)"));
	} else if (key == 6 && memcmp(text, "python", 6) == 0) {
		free(step->python);
		step->python = text_dup(text + value, len - value);
	} else if (key == 3 && memcmp(text, "say", 3) == 0) {
		free(step->say);
		step->say_line = number;
		step->say =
			take_block(lines, count, index, line->indent, text + value, len - value);
	} else if (key == 8 && memcmp(text, "then-say", 8) == 0) {
		free(step->then_say);
		step->then_say_line = number;
		step->then_say =
			take_block(lines, count, index, line->indent, text + value, len - value);
	} else {
		const char *hint = suggest(step_directives, 6, text, key);
		if (hint)
			diagnostics_add(diag, pos,
					_("unknown directive '%.*s%s' (did you mean '%s'?)"),
					TOKEN(key, text), hint);
		else
			diagnostics_add(diag, pos,
					_("unknown directive '%.*s%s' (under a step: expect, then, "
					  "python, say, then-say, needs)"),
					TOKEN(key, text));
	}
}

static void parse_lines(struct lesson *lesson, const struct line *lines, size_t count,
			struct diagnostics *diag)
{
	struct name_scope scope;
	memset(&scope, 0, sizeof scope);
	bool in_step = false, step_ok = false, saw_step = false;
	for (size_t index = 0; index < count; index++) {
		const struct line *line = &lines[index];
		int number = (int)index + 1;
		if (line->blank)
			continue;
		if (line->indent > 0) {
			if (!in_step)
				diagnostics_add(diag, at(number, line->indent + 1),
						_("indented line outside a step or a text block"));
			else if (step_ok)
				parse_step_line(lesson, &lesson->steps[lesson->step_count - 1],
						lines, count, &index, &scope, diag);
			continue;
		}
		const char *text = line->text;
		size_t len = trim_end(text, line->len);
		size_t key = directive_key(text, len);
		in_step = false;
		if (key == 4 && memcmp(text, "step", 4) == 0 && key < len && text[key] == ' ') {
			if (saw_step == false && lesson->side_count == 0)
				parse_sides(lesson, "server client", 13, at(number, 1), diag);
			saw_step = in_step = true;
			step_ok = false;
			size_t call = skip_spaces(text, len, key);
			if (append_step(lesson) < 0)
				return;
			struct lesson_step *step = &lesson->steps[lesson->step_count - 1];
			step->line = number;
			step_ok =
				typed_call_parse(text + call, len - call, at(number, (int)call + 1),
						 lesson->sides, lesson->side_count, &scope,
						 &step->call, diag) == 0;
			if (step_ok && step->call.def->id == CALL_FORK
			    && lesson->programs[step->call.side]) {
				diagnostics_add(diag, at(number, (int)call + 1),
						_("fork() is for puppets: %s is a program, which "
						  "forks when it will"),
						lesson->sides[step->call.side]);
				typed_call_done(&step->call);
				step_ok = false;
			}
			if (step_ok && step->call.def->id == CALL_FORK)
				lesson->forked[step->call.args[0].number] = true;
			if (step_ok && step->call.def->wire && !lesson->hold_segments) {
				diagnostics_add(diag, at(number, (int)call + 1),
						_("%s() needs 'wire: hold' before the first step: "
						  "nothing is held otherwise"),
						step->call.def->name);
				typed_call_done(&step->call);
				step_ok = false;
			}
			if (!step_ok && step->call.result_name[0] && step->call.side >= 0)
				scope_add(&scope, step->call.side, step->call.result_name);
			if (!step_ok)
				lesson->step_count--;
			continue;
		}
		if (key == 7 && memcmp(text, "program", 7) == 0 && key < len && text[key] == ' ') {
			parse_program(lesson, text, len, number, saw_step, diag);
			continue;
		}
		if (key == len || text[key] != ':') {
			diagnostics_add(diag, at(number, 1),
					_("expected a directive (title:, sides:, intro:, step "
					  "SIDE: call)"));
			continue;
		}
		if (key == 4 && memcmp(text, "step", 4) == 0) {
			diagnostics_add(
				diag, at(number, 1),
				_("a step reads 'step SIDE: call(...)', with no ':' after 'step'"));
			continue;
		}
		size_t value = skip_spaces(text, len, key + 1);
		struct source_pos value_pos = at(number, (int)value + 1);
		if (key == 5 && memcmp(text, "title", 5) == 0) {
			free(lesson->title);
			lesson->title_line = number;
			lesson->title = text_dup(text + value, len - value);
			if (value == len)
				diagnostics_add(diag, value_pos, _("title: is empty"));
		} else if (key == 4 && memcmp(text, "wire", 4) == 0) {
			if (saw_step)
				diagnostics_add(diag, at(number, 1),
						_("wire: must come before the first step"));
			else if (len - value == 4 && memcmp(text + value, "hold", 4) == 0)
				lesson->hold_segments = true;
			else
				diagnostics_add(diag, value_pos,
						_("wire: takes 'hold' (every TCP segment waits for "
						  "release() or drop())"));
		} else if (key == 6 && memcmp(text, "lesson", 6) == 0) {
			/* The name comes from the file; this line only documents it. */
		} else if (key == 5 && memcmp(text, "sides", 5) == 0) {
			if (saw_step)
				diagnostics_add(diag, at(number, 1),
						_("sides: must come before the first step"));
			else
				parse_sides(lesson, text + value, len - value, value_pos, diag);
		} else if (key == 5 && memcmp(text, "intro", 5) == 0) {
			free(lesson->intro);
			lesson->intro_line = number;
			lesson->intro =
				take_block(lines, count, &index, 0, text + value, len - value);
		} else {
			const char *hint = suggest(top_directives,
						   sizeof top_directives / sizeof top_directives[0],
						   text, key);
			if (hint)
				diagnostics_add(
					diag, at(number, 1),
					_("unknown directive '%.*s%s' (did you mean '%s'?)"),
					TOKEN(key, text), hint);
			else
				diagnostics_add(
					diag, at(number, 1),
					_("unknown directive '%.*s%s' (title, sides, intro, step)"),
					TOKEN(key, text));
		}
	}
	if (!lesson->title)
		diagnostics_add(diag, at(1, 1), _("missing 'title:' line"));
	if (!saw_step)
		diagnostics_add(diag, at(count > 0 ? (int)count : 1, 1),
				_("the lesson has no step"));
}

static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base);
	static const char suffix[] = ".lesson";
	if (len > sizeof suffix - 1 && strcmp(base + len - (sizeof suffix - 1), suffix) == 0)
		len -= sizeof suffix - 1;
	return text_dup(base, len);
}

struct lesson *lesson_parse(const char *path, const char *text, size_t len,
			    struct diagnostics *diag)
{
	size_t before = diag->count;
	if (len == 0) {
		diagnostics_add(diag, at(0, 0), _("the file is empty"));
		return NULL;
	}
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		diagnostics_add(diag, at(0, 0),
				_("a binary file, not a lesson (NUL byte at offset %zu)"),
				(size_t)(nul - text));
		return NULL;
	}
	struct lesson *lesson = calloc(1, sizeof *lesson);
	if (!lesson)
		return NULL;
	lesson->path = text_dup(path, strlen(path));
	lesson->name = name_from_path(path);
	size_t count = 0;
	struct line *lines = split_lines(text, len, &count, diag);
	if (lines)
		parse_lines(lesson, lines, count, diag);
	free(lines);
	diagnostics_sort(diag, before);
	if (!lines || diag->count > before || !lesson->path || !lesson->name) {
		lesson_free(lesson);
		return NULL;
	}
	return lesson;
}

struct lesson *lesson_load_source(const char *path, struct diagnostics *diag)
{
	/* a FIFO would wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		diagnostics_add(diag, at(0, 0), _("cannot open: %s"), strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		diagnostics_add(diag, at(0, 0), "%s",
				S_ISDIR(st.st_mode) ? _("is a directory, not a lesson file")
						    : _("not a regular file"));
		close(fd);
		return NULL;
	}
	if (st.st_size > FILE_MAX_BYTES) {
		diagnostics_add(diag, at(0, 0),
				_("too large for a lesson (%lld bytes; at most %d)"),
				(long long)st.st_size, FILE_MAX_BYTES);
		close(fd);
		return NULL;
	}
	char *text = malloc((size_t)st.st_size + 1);
	size_t len = 0;
	ssize_t n = 0;
	while (text && len < (size_t)st.st_size
	       && (n = read(fd, text + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (!text || n < 0) {
		diagnostics_add(diag, at(0, 0), _("cannot read: %s"),
				text ? strerror(errno) : _("out of memory"));
		free(text);
		return NULL;
	}
	struct lesson *lesson = lesson_parse(path, text, len, diag);
	free(text);
	return lesson;
}

void lesson_free(struct lesson *lesson)
{
	if (!lesson)
		return;
	for (size_t i = 0; i < lesson->step_count; i++) {
		struct lesson_step *step = &lesson->steps[i];
		typed_call_done(&step->call);
		for (size_t k = 0; k < step->expect_count; k++)
			free(step->expects[k].bytes);
		free(step->expects);
		free(step->say);
		free(step->then_say);
		free(step->python);
	}
	free(lesson->steps);
	for (int s = 0; s < LESSON_MAX_SIDES; s++)
		free(lesson->programs[s]);
	free(lesson->path);
	free(lesson->name);
	free(lesson->title);
	free(lesson->intro);
	free(lesson);
}
