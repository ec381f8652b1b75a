/* python — one form per call, filled in with the arguments as typed. */
#include "python.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/un.h>

/* A form: text with holes.
 *   {N}      argument N as Python (nothing when it was not given)
 *   {,N}     ", " and argument N, when it was given
 *   {N*}     arguments N to the last, joined by ", "
 *   {Ns}     argument N, milliseconds, as Python's seconds (None: for ever)
 *   {=name}  the name the call gives its result, or `name`
 * `full` is the form when every optional argument was given (SO_LINGER's
 * seconds make setsockopt's value a struct). NULL: the catalog's line. */
static const struct {
	const char *form;
	const char *full;
} forms[CALL_COUNT] = {
	[CALL_SOCKET] = { "{=s} = socket.socket({0}, {1}{,2})", NULL },
	[CALL_BIND] = { "{0}.bind({1})", NULL },
	[CALL_LISTEN] = { "{0}.listen({1})", NULL },
	[CALL_ACCEPT] = { "{=conn}, addr = {0}.accept()", NULL },
	[CALL_CONNECT] = { "{0}.connect({1})", NULL },
	[CALL_SEND] = { "{0}.send({1}{,2})", NULL },
	[CALL_SENDALL] = { "{0}.sendall({1})", NULL },
	[CALL_RECV] = { "data = {0}.recv({1}{,2})", NULL },
	[CALL_SENDTO] = { "{0}.sendto({1}, {2})", NULL },
	[CALL_RECVFROM] = { "data, addr = {0}.recvfrom({1}{,2})", NULL },
	[CALL_SHUTDOWN] = { "{0}.shutdown({1})", NULL },
	[CALL_CLOSE] = { "{0}.close()", NULL },
	[CALL_SETSOCKOPT] = { "{0}.setsockopt({1}, {2}, {3})",
			      "{0}.setsockopt({1}, {2}, struct.pack('ii', {3}, {4}))" },
	[CALL_GETSOCKOPT] = { "{0}.getsockopt({1}, {2})", NULL },
	[CALL_GETSOCKNAME] = { "{0}.getsockname()", NULL },
	[CALL_GETPEERNAME] = { "{0}.getpeername()", NULL },
	[CALL_FCNTL] = { "fcntl.fcntl({0}, {1}{,2})", NULL },
	[CALL_UNLINK] = { "os.unlink({0})", NULL },
	[CALL_POLL] = { "p = select.poll(); [p.register(s) for s in ({1*},)]; p.poll({0})", NULL },
	[CALL_SELECT] = { "select.select([{1*}], [], [], {0s})", NULL },
	[CALL_EPOLL_CREATE] = { "{=ep} = select.epoll()", NULL },
	[CALL_EPOLL_CTL] = { "{0}.{1}({2}{,3})", NULL },
	[CALL_EPOLL_WAIT] = { "events = {0}.poll({1s})", NULL },
	[CALL_FORK] = { "pid = os.fork()", NULL },
};

/* The Python module each kind of constant lives in. */
static const char *const modules[ARG_KIND_COUNT] = {
	[ARG_FAMILY] = "socket.",       [ARG_TYPE] = "socket.",     [ARG_PROTOCOL] = "socket.",
	[ARG_HOW] = "socket.",          [ARG_LEVEL] = "socket.",    [ARG_OPTION] = "socket.",
	[ARG_MSG_FLAGS] = "socket.",    [ARG_FCNTL_CMD] = "fcntl.", [ARG_FILE_FLAGS] = "os.",
	[ARG_EPOLL_EVENTS] = "select.",
};

/* epoll_ctl's operation is a method of Python's epoll object. */
static const struct {
	long op;
	const char *method;
} epoll_methods[] = {
	{ EPOLL_CTL_ADD, "register" },
	{ EPOLL_CTL_MOD, "modify" },
	{ EPOLL_CTL_DEL, "unregister" },
};

struct writer {
	char *out;
	size_t size, at;
};

static void put(struct writer *w, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void put(struct writer *w, const char *format, ...)
{
	if (w->at >= w->size)
		return;
	va_list args;
	va_start(args, format);
	int n = vsnprintf(w->out + w->at, w->size - w->at, format, args);
	va_end(args);
	if (n > 0)
		w->at = w->at + (size_t)n < w->size ? w->at + (size_t)n : w->size - 1;
}

/* Python bytes: b'...' with escapes; a long run of one byte as b'x' * N. */
static void put_bytes(struct writer *w, const char *bytes, size_t len)
{
	bool uniform = len > 16;
	for (size_t i = 1; i < len && uniform; i++)
		uniform = bytes[i] == bytes[0];
	size_t shown = uniform ? 1 : len;
	put(w, "b'");
	for (size_t i = 0; i < shown; i++) {
		unsigned char byte = (unsigned char)bytes[i];
		if (byte == '\\' || byte == '\'')
			put(w, "\\%c", byte);
		else if (byte == '\n')
			put(w, "\\n");
		else if (byte == '\r')
			put(w, "\\r");
		else if (byte == '\t')
			put(w, "\\t");
		else if (byte < 0x20 || byte >= 0x7f)
			put(w, "\\x%02x", byte);
		else
			put(w, "%c", byte);
	}
	put(w, "'");
	if (uniform)
		put(w, " * %zu", len);
}

static void put_address(struct writer *w, const struct call_arg *arg)
{
	char host[INET6_ADDRSTRLEN];
	if (arg->address.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&arg->address;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
		put(w, "('%s', %u)", host, ntohs(in->sin_port));
	} else if (arg->address.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&arg->address;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
		put(w, "('%s', %u)", host, ntohs(in6->sin6_port));
	} else if (arg->address.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&arg->address;
		size_t len = arg->address_len > offsetof(struct sockaddr_un, sun_path)
				     ? arg->address_len - offsetof(struct sockaddr_un, sun_path)
				     : 0;
		if (len > 0 && un->sun_path[0] == '\0')
			put_bytes(w, un->sun_path, len);   /* abstract: Python writes b'\x00name' */
		else
			put(w, "'%s'", un->sun_path);
	}
}

/* A constant (or flags or'ed together) by its Python name. */
static void put_constant(struct writer *w, enum arg_kind kind, long value)
{
	const char *name = catalog_constant_name(kind, value);
	if (name) {
		put(w, "%s%s", modules[kind], name);
		return;
	}
	/* Flags: the largest that fit first, printed smallest first. */
	long parts[8];
	int count = 0;
	long left = value;
	while (left && count < 8) {
		long best = 0;
		for (size_t i = 0; i < catalog_constant_count; i++)
			if (catalog_constants[i].kind == kind && catalog_constants[i].value > best
			    && (catalog_constants[i].value & left) == catalog_constants[i].value)
				best = catalog_constants[i].value;
		if (!best)
			break;
		parts[count++] = best;
		left &= ~best;
	}
	if (left || count == 0) {
		put(w, "%ld", value);
		return;
	}
	for (int i = count; i-- > 0;)
		put(w, "%s%s%s", i == count - 1 ? "" : " | ", modules[kind],
		    catalog_constant_name(kind, parts[i]));
}

static void put_arg(struct writer *w, const struct typed_call *call, int index, bool seconds)
{
	const struct call_arg *arg = &call->args[index];
	switch (arg->kind) {
	case ARG_SOCKET:
		if (arg->socket_name[0])
			put(w, "%s", arg->socket_name);
		else
			put(w, "socket.socket(fileno=%ld)", arg->number);
		break;
	case ARG_INT:
		if (seconds && arg->number < 0)
			put(w, "None");
		else if (seconds)
			put(w, "%g", (double)arg->number / 1000.0);
		else
			put(w, "%ld", arg->number);
		break;
	case ARG_ADDRESS:
		put_address(w, arg);
		break;
	case ARG_BYTES:
		put_bytes(w, arg->bytes ? arg->bytes : "", arg->bytes_len);
		break;
	case ARG_PATH:
		put(w, "'%s'", arg->bytes ? arg->bytes : "");
		break;
	case ARG_EPOLL_OP:
		for (size_t i = 0; i < sizeof epoll_methods / sizeof epoll_methods[0]; i++)
			if (epoll_methods[i].op == arg->number)
				put(w, "%s", epoll_methods[i].method);
		break;
	case ARG_SIDE:
		break;
	default:
		if (modules[arg->kind])
			put_constant(w, arg->kind, arg->number);
		else
			put(w, "%ld", arg->number);
		break;
	}
}

/* unregister() takes no events. */
static bool arg_shown(const struct typed_call *call, int index)
{
	if (index >= call->arg_count)
		return false;
	return !(call->def->id == CALL_EPOLL_CTL && index == 3
		 && call->args[1].number == EPOLL_CTL_DEL);
}

char *python_line(const struct typed_call *call, char *out, size_t size)
{
	struct writer w = { .out = out, .size = size };
	out[0] = '\0';
	const char *form = call->def ? forms[call->def->id].form : NULL;
	if (!form) {
		put(&w, "%s", call->def && call->def->python ? call->def->python : "");
		return out;
	}
	if (forms[call->def->id].full && call->arg_count == call->def->max_args)
		form = forms[call->def->id].full;
	for (const char *at = form; *at;) {
		if (*at != '{') {
			const char *next = strchr(at, '{');
			size_t len = next ? (size_t)(next - at) : strlen(at);
			put(&w, "%.*s", (int)len, at);
			at += len;
			continue;
		}
		const char *end = strchr(at, '}');
		if (at[1] == '=') {
			put(&w, "%.*s",
			    call->result_name[0] ? (int)sizeof call->result_name
						 : (int)(end - at - 2),
			    call->result_name[0] ? call->result_name : at + 2);
		} else {
			bool comma = at[1] == ',';
			int index = at[comma ? 2 : 1] - '0';
			char mode = at[comma ? 3 : 2];
			if (mode == '*') {
				for (int i = index; i < call->arg_count; i++) {
					put(&w, "%s", i > index ? ", " : "");
					put_arg(&w, call, i, false);
				}
			} else if (arg_shown(call, index)) {
				put(&w, "%s", comma ? ", " : "");
				put_arg(&w, call, index, mode == 's');
			}
		}
		at = end + 1;
	}
	return out;
}
