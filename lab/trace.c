/* trace — writing, reading and normalising traces (format in trace.h). */
#include "trace.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "lesson.h"
#include "packet_flags.h"
#include "readiness.h"
#include "text.h"

/* Compact, one object a line, keys in the order they were set. Fifteen
 * significant digits print "us" to the nanosecond without float noise
 * (41.237, not 41.237000000000002). */
#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

#define PORT_MAP_MAX \
	((int)(sizeof((struct run_info *)0)->port_map / sizeof((struct run_info *)0)->port_map[0]))
#define SIZE_LIMIT ((json_int_t)(SIZE_MAX < (unsigned long long)LLONG_MAX ? SIZE_MAX : LLONG_MAX))
#define ERRNO_MAX 4095        /* the kernel's errno numbers stay below 4096 */
#define US_MAX 9e15           /* microseconds; keeps nanoseconds inside a long long */

/* ---- small tables ------------------------------------------------------ */

static const struct {
	unsigned bit;
	const char *name;
} change_names[] = {
	{ CHANGE_NEW, "new" },
	{ CHANGE_STATE, "state" },
	{ CHANGE_QUEUE, "queue" },
	{ CHANGE_FD, "fd" },
	{ CHANGE_ADDRESS, "address" },
};

/* Bytes with a one-letter escape in "bytes", both ways. */
static const struct {
	unsigned char byte;
	char letter;
} byte_escapes[] = {
	{ '\n', 'n' }, { '\r', 'r' }, { '\t', 't' }, { '\\', '\\' }, { '"', '"' },
};

static const char *const json_type_names[] = {
	[JSON_OBJECT] = "an object",
	[JSON_ARRAY] = "an array",
	[JSON_STRING] = "a string",
	[JSON_INTEGER] = "a whole number",
	[JSON_REAL] = "a number with a fraction",
	[JSON_TRUE] = "true",
	[JSON_FALSE] = "false",
	[JSON_NULL] = "null",
};

static const char *json_type_name(const json_t *value)
{
	unsigned type = (unsigned)json_typeof(value);
	return type < sizeof json_type_names / sizeof json_type_names[0] ? json_type_names[type]
									 : "?";
}

/* ---- bytes ------------------------------------------------------------- */

#define BYTE_ESCAPE_COUNT (sizeof byte_escapes / sizeof byte_escapes[0])

static size_t escape_of_byte(unsigned char byte)
{
	size_t k = 0;
	while (k < BYTE_ESCAPE_COUNT && byte_escapes[k].byte != byte)
		k++;
	return k;
}

/* The escaped form of received bytes (trace.h); malloc'd, NULL when out of memory. */
static char *bytes_escape(const unsigned char *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	if (len > (SIZE_MAX - 1) / 4)
		return NULL;
	char *out = malloc(4 * len + 1);    /* \xHH is the longest escape */
	if (!out)
		return NULL;
	size_t at = 0;
	for (size_t i = 0; i < len; i++) {
		size_t k = escape_of_byte(bytes[i]);
		if (k < BYTE_ESCAPE_COUNT) {
			out[at++] = '\\';
			out[at++] = byte_escapes[k].letter;
		} else if (bytes[i] >= 0x20 && bytes[i] < 0x7f) {
			out[at++] = (char)bytes[i];
		} else {
			out[at++] = '\\';
			out[at++] = 'x';
			out[at++] = hex[bytes[i] >> 4];
			out[at++] = hex[bytes[i] & 15];
		}
	}
	out[at] = '\0';
	return out;
}

/* Decodes the escaped form. Any byte but a backslash stands for itself, so
 * hand-written UTF-8 reads as its bytes. Returns 0 with *out malloc'd (not
 * NULL, even for ""), 1 with *bad_escape at a bad escape, -1 out of memory. */
static int bytes_unescape(const char *text, size_t len, unsigned char **out, size_t *out_len,
			  size_t *bad_escape)
{
	unsigned char *bytes = malloc(len ? len : 1);   /* decoding never grows */
	if (!bytes)
		return -1;
	long decoded = text_unescape(text, len, bytes, bad_escape);
	if (decoded < 0) {
		free(bytes);
		return 1;
	}
	*out = bytes;
	*out_len = (size_t)decoded;
	return 0;
}

/* ---- state names ------------------------------------------------------- */

/* The state a trace's name stands for: "-" is 0 (no address yet); "gone"
 * is for lessons, never in a trace. -1 if unknown. */
static int state_value(const char *name, size_t len)
{
	if (len == 1 && name[0] == '-')
		return 0;
	int state = lesson_state_value(name, len);
	return state > 0 ? state : -1;
}

/* ---- writing ----------------------------------------------------------- */

struct trace_writer {
	FILE *file;
	bool owns_file;           /* false for stdout */
	char *path;               /* for messages */
	struct run_info info;     /* names the sides of every event */
	bool info_written;
};

/* Adds key: value to object, taking value. Either may be NULL (a json_*
 * call that failed): the result is then -1, so a builder ORs the results
 * of all its puts and checks once. */
static int put(json_t *object, const char *key, json_t *value)
{
	return json_object_set_new(object, key, value);
}

static int append(json_t *array, json_t *value)
{
	return json_array_append_new(array, value);
}

/* Fixed buffers filled by others may lack their NUL when full. */
static json_t *buffer_json(const char *buffer, size_t size)
{
	return json_stringn(buffer, strnlen(buffer, size));
}

/* An address as the lab shows it: the trace holds the same text. */
static json_t *address_json(const struct lab_address *address)
{
	return json_string(lab_address_shown(address).text);
}

static json_t *name_or_number_json(const char *name, long number)
{
	return name ? json_string(name) : json_integer(number);
}

static json_t *side_json(const struct run_info *info, int side)
{
	if (side < 0)
		return json_null();
	return buffer_json(info->sides[side], sizeof info->sides[side]);
}

/* The name every frontend shows (lab_socket_state_text). */
static const char *socket_state_name(const struct lab_socket *socket)
{
	return lab_socket_state_text(socket);
}

/* "-" for no address yet; the name when it reads back as the same state
 * (12, a request socket, prints "SYN-RECV" which reads as 3: it stays a
 * number), else the number. */
static json_t *state_json(const struct lab_socket *socket)
{
	if (socket->state == 0)
		return json_string("-");
	const char *name = socket_state_name(socket);
	if (state_value(name, strlen(name)) == socket->state)
		return json_string(name);
	return json_integer(socket->state);
}

static json_t *errno_json(int error)
{
	if (error == 0)
		return json_null();
	return name_or_number_json(catalog_errno_name(error), error);
}

static json_t *bytes_json(const struct lab_event *event)
{
	if (!event->bytes)
		return json_null();
	char *escaped = bytes_escape(event->bytes, event->bytes_len);
	json_t *value = escaped ? json_string(escaped) : NULL;
	free(escaped);
	return value;
}

static json_t *changes_json(unsigned changes)
{
	json_t *array = json_array();
	int failed = 0;
	for (size_t i = 0; i < sizeof change_names / sizeof change_names[0]; i++)
		if (changes & change_names[i].bit)
			failed |= append(array, json_string(change_names[i].name));
	if (failed) {
		json_decref(array);
		return NULL;
	}
	return array;
}

/* `normalised` leaves out what differs between two runs of one lesson. */
static json_t *socket_json(const struct run_info *info, const struct lab_socket *socket,
			   bool normalised)
{
	json_t *object = json_object();
	int failed = 0;
	failed |= put(object, "side", side_json(info, socket->side));
	failed |= put(object, "fd", json_integer(socket->fd));
	failed |= put(object, "name", buffer_json(socket->name, sizeof socket->name));
	failed |= put(object, "family",
		      name_or_number_json(catalog_constant_name(ARG_FAMILY, socket->family),
					  socket->family));
	failed |= put(object, "type",
		      name_or_number_json(catalog_constant_name(ARG_TYPE, socket->type),
					  socket->type));
	failed |= put(object, "state", state_json(socket));
	failed |= put(object, "local", address_json(&socket->local));
	failed |= put(object, "peer", address_json(&socket->peer));
	failed |= put(object, "rq", json_integer(socket->recv_queue));
	failed |= put(object, "wq", json_integer(socket->send_queue));
	if (!normalised) {
		failed |= put(object, "timer_ms", json_integer(socket->timer_ms));
		failed |= put(object, "inode", json_integer(socket->inode));
		/* The rest of the probe's view, where it says something. */
		if (socket->timer)
			failed |= put(object, "timer_kind", json_integer(socket->timer));
		if (socket->retransmits)
			failed |= put(object, "retransmits", json_integer(socket->retransmits));
		if (socket->uid)
			failed |= put(object, "uid", json_integer(socket->uid));
		if (socket->peer_inode)
			failed |= put(object, "peer_inode", json_integer(socket->peer_inode));
		if (socket->cookie)
			failed |= put(object, "cookie", json_integer((json_int_t)socket->cookie));
	}
	if (socket->note != NOTE_NONE)
		failed |= put(object, "note", json_string(lab_note_text(socket->note)));
	if (socket->changes)
		failed |= put(object, "changes", changes_json(socket->changes));
	if (failed) {
		json_decref(object);
		return NULL;
	}
	return object;
}

/* An event's sentences: "failures", "timers_ended". */
static json_t *sentences_json(char *const *sentences, size_t count)
{
	json_t *array = json_array();
	int failed = 0;
	for (size_t i = 0; i < count; i++)
		failed |= append(array, json_string(sentences[i]));
	if (failed) {
		json_decref(array);
		return NULL;
	}
	return array;
}

static json_t *sockets_json(const struct run_info *info, const struct lab_snapshot *snapshot,
			    bool normalised)
{
	json_t *array = json_array();
	int failed = 0;
	for (size_t i = 0; i < snapshot->count; i++)
		failed |= append(array, socket_json(info, snapshot->sockets[i], normalised));
	if (failed) {
		json_decref(array);
		return NULL;
	}
	return array;
}

/* A pure ACK (no payload, no SYN, FIN or RST) may come up to 40 ms late
 * (a delayed ACK), in whichever step is running then: golden traces leave
 * them out, and keep every segment a call itself caused. */
static bool pure_ack(const struct wire_packet *packet)
{
	return packet->protocol == IPPROTO_TCP && packet->length == 0
	       && packet->flags == PACKET_FLAG_ACK;
}

static json_t *packet_json(const struct run_info *info, const struct wire_packet *packet,
			   bool normalised)
{
	json_t *object = json_object();
	int failed = 0;
	failed |= put(object, "from", side_json(info, packet->from_side));
	failed |= put(object, "to", side_json(info, packet->to_side));
	failed |= put(object, "src", address_json(&packet->from));
	failed |= put(object, "dst", address_json(&packet->to));
	failed |=
		put(object, "proto", json_string(packet->protocol == IPPROTO_UDP ? "UDP" : "TCP"));
	char flags[PACKET_FLAGS_TEXT_MAX];
	packet_flags_text(packet->protocol, packet->flags, flags, sizeof flags);
	failed |= put(object, "flags", json_string(flags));
	failed |= put(object, "seq", json_integer(packet->seq));
	failed |= put(object, "ack", json_integer(packet->ack));
	failed |= put(object, "len", json_integer(packet->length));
	failed |= put(object, "payload", buffer_json(packet->payload, sizeof packet->payload));
	if (!normalised) {
		failed |= put(object, "win", json_integer(packet->window));
		failed |= put(object, "time_us", json_integer(packet->time_us));
	}
	if (failed) {
		json_decref(object);
		return NULL;
	}
	return object;
}

static json_t *packets_json(const struct run_info *info, const struct lab_event *event,
			    bool normalised)
{
	json_t *array = json_array();
	int failed = 0;
	for (size_t i = 0; i < event->packet_count; i++)
		if (!normalised || !pure_ack(&event->packets[i]))
			failed |= append(array, packet_json(info, &event->packets[i], normalised));
	if (failed) {
		json_decref(array);
		return NULL;
	}
	return array;
}

static json_t *event_json(const struct run_info *info, const struct lab_event *event,
			  bool normalised)
{
	json_t *object = json_object();
	int failed = 0;
	failed |= put(object, "seq", json_integer((json_int_t)event->seq));
	failed |= put(object, "step", json_integer((json_int_t)event->step));
	failed |= put(object, "kind", json_string(lab_event_kind_name(event->kind)));
	failed |= put(object, "side", side_json(info, event->side));
	failed |= put(object, "call", json_string(catalog_calls[event->call].name));
	failed |= put(object, "text", event->text ? json_string(event->text) : json_null());
	failed |= put(object, "ret", json_integer(event->ret));
	failed |= put(object, "errno", errno_json(event->error));
	failed |= put(object, "bytes", bytes_json(event));
	if (!lab_address_is(&event->address, LAB_ADDRESS_EMPTY))
		failed |= put(object, "address", address_json(&event->address));
	if (event->fd_argument >= 0)
		failed |= put(object, "fd_arg", json_integer(event->fd_argument));
	if (!lab_address_is(&event->target, LAB_ADDRESS_EMPTY))
		failed |= put(object, "target", address_json(&event->target));
	if (event->has_value)
		failed |= put(object, "value", json_integer(event->value));
	if (event->ready_count) {
		char *ready = readiness_text_new(event->ready, event->ready_count);
		failed |= put(object, "ready", ready ? json_string(ready) : NULL);
		free(ready);
	}
	if (event->held[0])
		failed |= put(object, "held", buffer_json(event->held, sizeof event->held));
	if (event->refusal[0] && !normalised)   /* a host path refusal is the namespace's errno */
		failed |=
			put(object, "refused", buffer_json(event->refusal, sizeof event->refusal));
	if (event->resent[0])
		failed |= put(object, "resent", buffer_json(event->resent, sizeof event->resent));
	if (!normalised)
		failed |= put(object, "us", json_real((double)event->elapsed_ns / 1000.0));
	if (event->failure_count)
		failed |= put(object, "failures",
			      sentences_json(event->failures, event->failure_count));
	if (event->timer_ended_count)
		failed |= put(object, "timers_ended",
			      sentences_json(event->timers_ended, event->timer_ended_count));
	size_t kept = 0;
	for (size_t i = 0; i < event->packet_count; i++)
		kept += !normalised || !pure_ack(&event->packets[i]);
	if (kept)
		failed |= put(object, "packets", packets_json(info, event, normalised));
	failed |= put(object, "sockets", sockets_json(info, &event->snapshot, normalised));
	if (failed) {
		json_decref(object);
		return NULL;
	}
	return object;
}

static json_t *port_map_json(const struct run_info *info)
{
	json_t *array = json_array();
	int failed = 0;
	for (int i = 0; i < info->port_map_count; i++) {
		json_t *pair = json_array();
		failed |= append(pair, json_integer(info->port_map[i].from));
		failed |= append(pair, json_integer(info->port_map[i].to));
		failed |= append(array, pair);
	}
	if (failed) {
		json_decref(array);
		return NULL;
	}
	return array;
}

static json_t *info_json(const struct run_info *info, bool normalised)
{
	json_t *object = json_object();
	json_t *sides = json_array();
	int failed = 0;
	for (int i = 0; i < info->side_count; i++)
		failed |= append(sides, buffer_json(info->sides[i], sizeof info->sides[i]));
	failed |= put(object, "socklab_trace", json_integer(TRACE_VERSION));
	failed |= put(object, "lesson", buffer_json(info->lesson, sizeof info->lesson));
	failed |= put(object, "title", buffer_json(info->title, sizeof info->title));
	if (!normalised)
		failed |= put(object, "sandbox", buffer_json(info->sandbox, sizeof info->sandbox));
	if (!normalised && info->wire[0])
		failed |= put(object, "wire", buffer_json(info->wire, sizeof info->wire));
	if (!normalised && info->held[0])
		failed |= put(object, "held", buffer_json(info->held, sizeof info->held));
	failed |= put(object, "sides", sides);
	failed |= put(object, "steps", json_integer((json_int_t)info->step_count));
	if (!normalised)
		failed |= put(object, "port_map", port_map_json(info));
	if (failed) {
		json_decref(object);
		return NULL;
	}
	return object;
}

/* Writes object (taken) as one line and flushes it. `what` names the
 * line for a message; `name` the output. */
static int write_line(FILE *file, const char *name, json_t *object, const char *what, char **err)
{
	if (!object)
		return text_error(err,
				  "%s: cannot write %s: a string is not UTF-8 (or out of memory)",
				  name, what);
	char *line = json_dumps(object, DUMP_FLAGS);
	json_decref(object);
	if (!line)
		return text_error(err, "%s: cannot write %s: out of memory", name, what);
	int failed = fputs(line, file) == EOF || putc('\n', file) == EOF || fflush(file) == EOF;
	free(line);
	if (failed)
		return text_error(err, "%s: cannot write: %s", name, strerror(errno));
	return 0;
}

/* What a reader would refuse in the sides, or NULL. */
static const char *sides_problem(const struct run_info *info)
{
	if (info->side_count < 1 || info->side_count > LESSON_MAX_SIDES)
		return "expected 1 to 8 sides";
	for (int i = 0; i < info->side_count; i++) {
		if (!info->sides[i][0])
			return "a side has an empty name";
		for (int j = 0; j < i; j++)
			if (strncmp(info->sides[i], info->sides[j], NAME_MAX_LEN) == 0)
				return "two sides have the same name";
	}
	return NULL;
}

/* Numbers a trace cannot name are the caller's mistake: say which. */
static int check_event(const struct trace_writer *writer, const struct lab_event *event, char **err)
{
	const struct run_info *info = &writer->info;
	if (!writer->info_written)
		return text_error(err,
				  "%s: an event before the trace's first line (trace_write_info)",
				  writer->path);
	if ((unsigned)event->kind >= EVENT_KIND_COUNT || (unsigned)event->call >= CALL_COUNT)
		return text_error(err, "%s: event %zu: kind %d or call %d is out of range",
				  writer->path, event->seq, (int)event->kind, (int)event->call);
	if (event->side < -1 || event->side >= info->side_count)
		return text_error(err, "%s: event %zu: side %d is not one of the %d sides",
				  writer->path, event->seq, event->side, info->side_count);
	for (size_t i = 0; i < event->snapshot.count; i++) {
		const struct lab_socket *socket = event->snapshot.sockets[i];
		if (socket->side < -1 || socket->side >= info->side_count
		    || (unsigned)socket->note >= NOTE_COUNT)
			return text_error(
				err,
				"%s: event %zu: socket %zu: side %d or note %d is out of range",
				writer->path, event->seq, i, socket->side, (int)socket->note);
	}
	return 0;
}

int trace_writer_open(struct trace_writer **out, const char *path, char **err)
{
	*out = NULL;
	struct trace_writer *writer = calloc(1, sizeof *writer);
	if (!writer)
		return text_error(err, "%s: out of memory", path);
	writer->path = strdup(strcmp(path, "-") == 0 ? "stdout" : path);
	if (!writer->path) {
		free(writer);
		return text_error(err, "%s: out of memory", path);
	}
	if (strcmp(path, "-") == 0) {
		writer->file = stdout;
	} else {
		/* "e": close on exec, so no puppet inherits the trace. */
		writer->file = fopen(path, "we");
		writer->owns_file = true;
		if (!writer->file) {
			int error = errno;
			free(writer->path);
			free(writer);
			return text_error(err, "%s: cannot create: %s", path, strerror(error));
		}
	}
	*out = writer;
	return 0;
}

int trace_write_info(struct trace_writer *writer, const struct run_info *info, char **err)
{
	if (writer->info_written)
		return text_error(err, "%s: the trace's first line is written already",
				  writer->path);
	const char *problem = sides_problem(info);
	if (problem)
		return text_error(err, "%s: %s", writer->path, problem);
	if (info->port_map_count < 0 || info->port_map_count > PORT_MAP_MAX)
		return text_error(err, "%s: port_map: %d entries (0 to %d)", writer->path,
				  info->port_map_count, PORT_MAP_MAX);
	if (write_line(writer->file, writer->path, info_json(info, false), "the first line",
		       err) < 0)
		return -1;
	writer->info = *info;
	writer->info_written = true;
	return 0;
}

int trace_write_event(struct trace_writer *writer, const struct lab_event *event, char **err)
{
	if (check_event(writer, event, err) < 0)
		return -1;
	char what[48];
	snprintf(what, sizeof what, "event %zu", event->seq);
	return write_line(writer->file, writer->path, event_json(&writer->info, event, false), what,
			  err);
}

int trace_writer_rewind(struct trace_writer *writer, char **err)
{
	if (!writer->owns_file)
		return text_error(err, "%s: a trace on stdout cannot go back", writer->path);
	if (fflush(writer->file) == EOF || ftruncate(fileno(writer->file), 0) < 0
	    || fseek(writer->file, 0, SEEK_SET) < 0)
		return text_error(err, "%s: cannot write: %s", writer->path, strerror(errno));
	writer->info_written = false;
	return 0;
}

int trace_writer_close(struct trace_writer *writer, char **err)
{
	if (!writer)
		return 0;
	int failed = writer->owns_file ? fclose(writer->file) == EOF : fflush(writer->file) == EOF;
	int status =
		failed ? text_error(err, "%s: cannot write: %s", writer->path, strerror(errno)) : 0;
	free(writer->path);
	free(writer);
	return status;
}

/* ---- reading ----------------------------------------------------------- */

struct reader {
	const char *path;
	size_t line;              /* 1-based */
	char scope[40];           /* "sockets[2]." while reading a socket, else "" */
	char **err;
	/* The event before's sockets, or NULL: a row read the same as its row
	 * there is that row, shared. */
	const struct lab_snapshot *previous;
};

/* "path:line: <scope><field>: <message>"; returns -1. */
static int reader_fail(const struct reader *reader, const char *field, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static int reader_fail(const struct reader *reader, const char *field, const char *format, ...)
{
	char *message = NULL;
	va_list args;
	va_start(args, format);
	if (vasprintf(&message, format, args) < 0)
		message = NULL;
	va_end(args);
	text_error(reader->err, "%s:%zu: %s%s: %s", reader->path, reader->line, reader->scope,
		   field, message ? message : "(out of memory)");
	free(message);
	return -1;
}

/* The member `key`: 1 when present, 0 when absent and optional, -1 (with
 * the message) when absent and required. */
static int member(const struct reader *reader, json_t *object, const char *key, bool required,
		  json_t **value)
{
	*value = json_object_get(object, key);
	if (*value)
		return 1;
	return required ? reader_fail(reader, key, "missing") : 0;
}

static int read_integer(const struct reader *reader, json_t *object, const char *key, bool required,
			json_int_t min, json_int_t max, json_int_t *out)
{
	json_t *value;
	int found = member(reader, object, key, required, &value);
	if (found <= 0)
		return found;
	if (!json_is_integer(value))
		return reader_fail(reader, key, "expected a whole number, got %s",
				   json_type_name(value));
	json_int_t number = json_integer_value(value);
	if (number < min || number > max)
		return reader_fail(reader, key,
				   "%" JSON_INTEGER_FORMAT " is out of range (%" JSON_INTEGER_FORMAT
				   " to %" JSON_INTEGER_FORMAT ")",
				   number, min, max);
	*out = number;
	return 1;
}

static int read_size(const struct reader *reader, json_t *object, const char *key, size_t *out)
{
	json_int_t number;
	if (read_integer(reader, object, key, true, 0, SIZE_LIMIT, &number) < 0)
		return -1;
	*out = (size_t)number;
	return 0;
}

static int read_u32(const struct reader *reader, json_t *object, const char *key, bool required,
		    uint32_t *out)
{
	json_int_t number;
	int found = read_integer(reader, object, key, required, 0, UINT32_MAX, &number);
	if (found > 0)
		*out = (uint32_t)number;
	return found < 0 ? -1 : 0;
}

/* A string into a fixed buffer: a longer one is refused, never cut. */
static int read_buffer(const struct reader *reader, json_t *object, const char *key, bool required,
		       char *buffer, size_t size)
{
	json_t *value;
	int found = member(reader, object, key, required, &value);
	if (found <= 0)
		return found;
	if (!json_is_string(value))
		return reader_fail(reader, key, "expected a string, got %s", json_type_name(value));
	/* Without JSON_ALLOW_NUL jansson refuses "\u0000": the length is strlen. */
	size_t len = json_string_length(value);
	if (len >= size)
		return reader_fail(reader, key, "longer than %zu bytes", size - 1);
	memcpy(buffer, json_string_value(value), len + 1);
	return 1;
}

/* An address's text, read back into its value (lab_address_parse): a
 * text the lab never prints is refused. */
static int read_address(const struct reader *reader, json_t *object, const char *key, bool required,
			struct lab_address *out)
{
	char text[TEXT_ADDRESS_MAX];
	memset(out, 0, sizeof *out);
	int found = read_buffer(reader, object, key, required, text, sizeof text);
	if (found <= 0)
		return found;
	if (lab_address_parse(text, out) < 0)
		return reader_fail(reader, key, "not an address as the lab writes one: \"%s\"",
				   text);
	return 1;
}

/* A constant of `kind` by name ("AF_INET"), or any number >= 0. */
static int read_constant(const struct reader *reader, json_t *object, const char *key,
			 enum arg_kind kind, int *out)
{
	json_t *value;
	if (member(reader, object, key, true, &value) < 0)
		return -1;
	if (json_is_string(value)) {
		const struct constant_def *constant =
			catalog_find_constant(kind, json_string_value(value),
					      json_string_length(value));
		if (!constant)
			return reader_fail(reader, key, "unknown name '%s'",
					   json_string_value(value));
		*out = (int)constant->value;
		return 0;
	}
	json_int_t number;
	if (!json_is_integer(value))
		return reader_fail(reader, key, "expected a name or a number, got %s",
				   json_type_name(value));
	if (read_integer(reader, object, key, true, 0, INT_MAX, &number) < 0)
		return -1;
	*out = (int)number;
	return 0;
}

/* A side by name, or null for -1. */
static int read_side_named(const struct reader *reader, json_t *object, const char *key,
			   const struct run_info *info, int *out)
{
	json_t *value;
	if (member(reader, object, key, true, &value) < 0)
		return -1;
	if (json_is_null(value)) {
		*out = -1;
		return 0;
	}
	if (!json_is_string(value))
		return reader_fail(reader, key, "expected a side's name or null, got %s",
				   json_type_name(value));
	for (int i = 0; i < info->side_count; i++) {
		if (strcmp(info->sides[i], json_string_value(value)) == 0) {
			*out = i;
			return 0;
		}
	}
	return reader_fail(reader, key, "'%s' is not one of the trace's sides",
			   json_string_value(value));
}

static int read_side(const struct reader *reader, json_t *object, const struct run_info *info,
		     int *out)
{
	return read_side_named(reader, object, "side", info, out);
}

static int read_state(const struct reader *reader, json_t *object, int *out)
{
	json_t *value;
	if (member(reader, object, "state", true, &value) < 0)
		return -1;
	if (json_is_string(value)) {
		int state = state_value(json_string_value(value), json_string_length(value));
		if (state < 0)
			return reader_fail(reader, "state", "unknown state '%s'",
					   json_string_value(value));
		*out = state;
		return 0;
	}
	json_int_t number;
	if (!json_is_integer(value))
		return reader_fail(reader, "state", "expected a state's name or number, got %s",
				   json_type_name(value));
	if (read_integer(reader, object, "state", true, 0, 255, &number) < 0)
		return -1;
	*out = (int)number;
	return 0;
}

static int read_note(const struct reader *reader, json_t *object, enum socket_note *out)
{
	json_t *value;
	int found = member(reader, object, "note", false, &value);
	if (found <= 0)
		return found;
	if (!json_is_string(value))
		return reader_fail(reader, "note", "expected a string, got %s",
				   json_type_name(value));
	for (int note = NOTE_NONE; note < NOTE_COUNT; note++) {
		if (strcmp(lab_note_text(note), json_string_value(value)) == 0) {
			*out = note;
			return 0;
		}
	}
	return reader_fail(reader, "note", "unknown note '%s'", json_string_value(value));
}

static int read_changes(const struct reader *reader, json_t *object, unsigned *out)
{
	json_t *value;
	int found = member(reader, object, "changes", false, &value);
	if (found <= 0)
		return found;
	if (!json_is_array(value))
		return reader_fail(reader, "changes", "expected an array, got %s",
				   json_type_name(value));
	for (size_t i = 0; i < json_array_size(value); i++) {
		json_t *item = json_array_get(value, i);
		size_t k = 0;
		while (k < sizeof change_names / sizeof change_names[0]
		       && !(json_is_string(item)
			    && strcmp(change_names[k].name, json_string_value(item)) == 0))
			k++;
		if (k == sizeof change_names / sizeof change_names[0]) {
			char field[32];
			snprintf(field, sizeof field, "changes[%zu]", i);
			return reader_fail(reader, field,
					   "expected \"new\", \"state\", \"queue\" or \"fd\"");
		}
		*out |= change_names[k].bit;
	}
	return 0;
}

static int read_socket(struct reader *reader, json_t *object, const struct run_info *info,
		       struct lab_socket *socket)
{
	json_int_t fd, timer = 0, cookie = 0;
	if (read_side(reader, object, info, &socket->side) < 0
	    || read_integer(reader, object, "fd", true, -1, INT_MAX, &fd) < 0
	    || read_buffer(reader, object, "name", true, socket->name, sizeof socket->name) < 0
	    || read_constant(reader, object, "family", ARG_FAMILY, &socket->family) < 0
	    || read_constant(reader, object, "type", ARG_TYPE, &socket->type) < 0
	    || read_state(reader, object, &socket->state) < 0
	    || read_address(reader, object, "local", true, &socket->local) < 0
	    || read_address(reader, object, "peer", true, &socket->peer) < 0
	    || read_u32(reader, object, "rq", true, &socket->recv_queue) < 0
	    || read_u32(reader, object, "wq", true, &socket->send_queue) < 0
	    || read_u32(reader, object, "timer_ms", false, &socket->timer_ms) < 0
	    || read_integer(reader, object, "timer_kind", false, 0, 4, &timer) < 0
	    || read_u32(reader, object, "retransmits", false, &socket->retransmits) < 0
	    || read_u32(reader, object, "uid", false, &socket->uid) < 0
	    || read_u32(reader, object, "inode", false, &socket->inode) < 0
	    || read_u32(reader, object, "peer_inode", false, &socket->peer_inode) < 0
	    || read_integer(reader, object, "cookie", false, 0, INT64_MAX, &cookie) < 0
	    || read_note(reader, object, &socket->note) < 0
	    || read_changes(reader, object, &socket->changes) < 0)
		return -1;
	socket->fd = (int)fd;
	socket->timer = (uint8_t)timer;
	socket->cookie = (uint64_t)cookie;
	return 0;
}

static int read_sockets(struct reader *reader, json_t *object, const struct run_info *info,
			struct lab_snapshot *snapshot)
{
	json_t *value;
	if (member(reader, object, "sockets", true, &value) < 0)
		return -1;
	if (!json_is_array(value))
		return reader_fail(reader, "sockets", "expected an array, got %s",
				   json_type_name(value));
	size_t count = json_array_size(value);
	for (size_t i = 0; i < count; i++) {
		json_t *item = json_array_get(value, i);
		char field[32];
		snprintf(field, sizeof field, "sockets[%zu]", i);
		reader->scope[0] = '\0';
		if (!json_is_object(item))
			return reader_fail(reader, field, "expected an object, got %s",
					   json_type_name(item));
		snprintf(reader->scope, sizeof reader->scope, "%s.", field);
		struct lab_socket socket;
		/* Padding too: rows that say the same are the same bytes. */
		memset(&socket, 0, sizeof socket);
		if (read_socket(reader, item, info, &socket) < 0)
			return -1;
		const struct lab_snapshot *previous = reader->previous;
		const struct lab_socket *before = NULL;
		if (previous && i < previous->count)
			before = previous->sockets[i];
		bool same = before && memcmp(before, &socket, sizeof socket) == 0;
		if ((same ? lab_snapshot_append_shared(snapshot, before)
			  : lab_snapshot_append(snapshot, &socket)) < 0)
			return reader_fail(reader, field, "out of memory");
	}
	reader->scope[0] = '\0';
	return 0;
}

static int read_kind(const struct reader *reader, json_t *object, enum event_kind *out)
{
	json_t *value;
	if (member(reader, object, "kind", true, &value) < 0)
		return -1;
	if (!json_is_string(value))
		return reader_fail(reader, "kind", "expected a string, got %s",
				   json_type_name(value));
	int kind = lab_event_kind_value(json_string_value(value));
	if (kind < 0)
		return reader_fail(reader, "kind",
				   "unknown kind '%s' (returned, blocked, woke, not run)",
				   json_string_value(value));
	*out = kind;
	return 0;
}

static int read_call(const struct reader *reader, json_t *object, enum call_id *out)
{
	json_t *value;
	if (member(reader, object, "call", true, &value) < 0)
		return -1;
	if (!json_is_string(value))
		return reader_fail(reader, "call", "expected a string, got %s",
				   json_type_name(value));
	const struct call_def *call =
		catalog_find_call(json_string_value(value), json_string_length(value));
	if (!call)
		return reader_fail(reader, "call", "unknown call '%s'", json_string_value(value));
	*out = call->id;
	return 0;
}

static int read_text(const struct reader *reader, json_t *object, char **out)
{
	json_t *value;
	if (member(reader, object, "text", true, &value) < 0)
		return -1;
	if (json_is_null(value))
		return 0;
	if (!json_is_string(value))
		return reader_fail(reader, "text", "expected a string or null, got %s",
				   json_type_name(value));
	*out = strdup(json_string_value(value));
	return *out ? 0 : reader_fail(reader, "text", "out of memory");
}

static int read_errno(const struct reader *reader, json_t *object, int *out)
{
	json_t *value;
	if (member(reader, object, "errno", true, &value) < 0)
		return -1;
	if (json_is_null(value)) {
		*out = 0;
		return 0;
	}
	if (json_is_string(value)) {
		int error =
			catalog_errno_value(json_string_value(value), json_string_length(value));
		if (error < 0)
			return reader_fail(reader, "errno", "unknown errno name '%s'",
					   json_string_value(value));
		*out = error;
		return 0;
	}
	json_int_t number;
	if (!json_is_integer(value))
		return reader_fail(reader, "errno", "expected a name, a number or null, got %s",
				   json_type_name(value));
	if (read_integer(reader, object, "errno", true, 1, ERRNO_MAX, &number) < 0)
		return -1;
	*out = (int)number;
	return 0;
}

static int read_bytes(const struct reader *reader, json_t *object, struct lab_event *event)
{
	json_t *value;
	if (member(reader, object, "bytes", true, &value) < 0)
		return -1;
	if (json_is_null(value))
		return 0;
	if (!json_is_string(value))
		return reader_fail(reader, "bytes", "expected a string or null, got %s",
				   json_type_name(value));
	size_t bad_escape = 0;
	int status = bytes_unescape(json_string_value(value), json_string_length(value),
				    &event->bytes, &event->bytes_len, &bad_escape);
	if (status < 0)
		return reader_fail(reader, "bytes", "out of memory");
	if (status > 0)
		return reader_fail(reader, "bytes",
				   "bad escape at byte %zu (\\n \\r \\t \\\\ \\\" or \\xHH)",
				   bad_escape);
	return 0;
}

static int read_value(const struct reader *reader, json_t *object, struct lab_event *event)
{
	json_int_t number;
	int found = read_integer(reader, object, "value", false, LONG_MIN, LONG_MAX, &number);
	if (found > 0) {
		event->value = (long)number;
		event->has_value = true;
	}
	return found < 0 ? -1 : 0;
}

static int read_elapsed(const struct reader *reader, json_t *object, uint64_t *out)
{
	json_t *value;
	int found = member(reader, object, "us", false, &value);
	if (found <= 0)
		return found;
	if (!json_is_number(value))
		return reader_fail(reader, "us", "expected a number, got %s",
				   json_type_name(value));
	double us = json_number_value(value);
	if (!(us >= 0 && us <= US_MAX))
		return reader_fail(reader, "us", "%g is out of range (0 to %g)", us, US_MAX);
	*out = (uint64_t)(us * 1000.0 + 0.5);   /* rounds: 41.237 is 41236.99... ns in binary */
	return 0;
}

/* An optional array of sentences under `key` ("failures", "timers_ended"). */
static int read_sentences(const struct reader *reader, json_t *object, const char *key,
			  char ***sentences, size_t *count_out)
{
	json_t *value;
	int found = member(reader, object, key, false, &value);
	if (found <= 0)
		return found;
	if (!json_is_array(value))
		return reader_fail(reader, key, "expected an array, got %s", json_type_name(value));
	size_t count = json_array_size(value);
	if (count == 0)
		return 0;
	*sentences = calloc(count, sizeof **sentences);
	if (!*sentences)
		return reader_fail(reader, key, "out of memory");
	for (size_t i = 0; i < count; i++) {
		json_t *item = json_array_get(value, i);
		char field[40];
		snprintf(field, sizeof field, "%s[%zu]", key, i);
		if (!json_is_string(item))
			return reader_fail(reader, field, "expected a string, got %s",
					   json_type_name(item));
		(*sentences)[i] = strdup(json_string_value(item));
		if (!(*sentences)[i])
			return reader_fail(reader, field, "out of memory");
		(*count_out)++;
	}
	return 0;
}

static int read_packet(const struct reader *reader, json_t *object, const struct run_info *info,
		       struct wire_packet *packet)
{
	json_int_t seq, ack, length, window = 0, time_us = 0;
	char protocol[8], flags[PACKET_FLAGS_TEXT_MAX];
	if (!json_is_object(object))
		return reader_fail(reader, "packets", "expected objects, got %s",
				   json_type_name(object));
	if (read_side_named(reader, object, "from", info, &packet->from_side) < 0
	    || read_side_named(reader, object, "to", info, &packet->to_side) < 0
	    || read_address(reader, object, "src", true, &packet->from) < 0
	    || read_address(reader, object, "dst", true, &packet->to) < 0
	    || read_buffer(reader, object, "proto", true, protocol, sizeof protocol) < 0
	    || read_buffer(reader, object, "flags", true, flags, sizeof flags) < 0
	    || read_integer(reader, object, "seq", true, 0, UINT32_MAX, &seq) < 0
	    || read_integer(reader, object, "ack", true, 0, UINT32_MAX, &ack) < 0
	    || read_integer(reader, object, "len", true, 0, UINT32_MAX, &length) < 0
	    || read_buffer(reader, object, "payload", true, packet->payload, sizeof packet->payload)
		    < 0
	    || read_integer(reader, object, "win", false, 0, UINT32_MAX, &window) < 0
	    || read_integer(reader, object, "time_us", false, 0, INT64_MAX, &time_us) < 0)
		return -1;
	if (strcmp(protocol, "TCP") && strcmp(protocol, "UDP"))
		return reader_fail(reader, "proto", "expected \"TCP\" or \"UDP\", got \"%s\"",
				   protocol);
	packet->protocol = strcmp(protocol, "UDP") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	if (packet_flags_parse(packet->protocol, flags, &packet->flags) < 0)
		return reader_fail(reader, "flags",
				   "\"%s\" names no %s flags (\"SYN-ACK\", \"none\"; \"\" for UDP)",
				   flags, protocol);
	packet->seq = (uint32_t)seq;
	packet->ack = (uint32_t)ack;
	packet->length = (uint32_t)length;
	packet->window = (uint32_t)window;
	packet->time_us = (int64_t)time_us;
	return 0;
}

static int read_packets(const struct reader *reader, json_t *object, const struct run_info *info,
			struct lab_event *event)
{
	json_t *value;
	int found = member(reader, object, "packets", false, &value);
	if (found <= 0)
		return found;
	if (!json_is_array(value))
		return reader_fail(reader, "packets", "expected an array, got %s",
				   json_type_name(value));
	size_t count = json_array_size(value);
	if (count == 0)
		return 0;
	event->packets = calloc(count, sizeof *event->packets);
	if (!event->packets)
		return reader_fail(reader, "packets", "out of memory");
	for (size_t i = 0; i < count; i++) {
		if (read_packet(reader, json_array_get(value, i), info, &event->packets[i]) < 0)
			return -1;
		event->packet_count++;
	}
	return 0;
}

/* "ready": the text readiness_text writes, back into entries (a named
 * fd's number is not in the text: -1). */
static int read_ready(const struct reader *reader, json_t *object, struct lab_event *event)
{
	json_t *value;
	int found = member(reader, object, "ready", false, &value);
	if (found <= 0)
		return found;
	if (!json_is_string(value))
		return reader_fail(reader, "ready", "expected a string, got %s",
				   json_type_name(value));
	const char *text = json_string_value(value);
	if (strlen(text) != json_string_length(value)
	    || readiness_parse(text, &event->ready, &event->ready_count) < 0)
		return reader_fail(reader, "ready", "\"%.80s\" is not a list of ready fds "
				   "(\"ls POLLIN, fd 7 POLLIN|POLLHUP\")", text);
	return 0;
}

/* Fills a zeroed event; on failure the caller frees what it holds. */
static int read_event(struct reader *reader, json_t *object, const struct run_info *info,
		      struct lab_event *event)
{
	json_int_t ret, fd_argument = -1;
	if (!json_is_object(object))
		return text_error(reader->err, "%s:%zu: expected an event (an object), got %s",
				  reader->path, reader->line, json_type_name(object));
	if (read_size(reader, object, "seq", &event->seq) < 0
	    || read_size(reader, object, "step", &event->step) < 0
	    || read_kind(reader, object, &event->kind) < 0
	    || read_side(reader, object, info, &event->side) < 0
	    || read_call(reader, object, &event->call) < 0
	    || read_text(reader, object, &event->text) < 0
	    || read_integer(reader, object, "ret", true, LONG_MIN, LONG_MAX, &ret) < 0
	    || read_errno(reader, object, &event->error) < 0
	    || read_bytes(reader, object, event) < 0
	    || read_address(reader, object, "address", false, &event->address) < 0
	    || read_integer(reader, object, "fd_arg", false, 0, INT_MAX, &fd_argument) < 0
	    || read_address(reader, object, "target", false, &event->target) < 0
	    || read_ready(reader, object, event) < 0
	    || read_buffer(reader, object, "held", false, event->held, sizeof event->held) < 0
	    || read_buffer(reader, object, "refused", false, event->refusal,
			   sizeof event->refusal) < 0
	    || read_buffer(reader, object, "resent", false, event->resent, sizeof event->resent) < 0
	    || read_value(reader, object, event) < 0
	    || read_elapsed(reader, object, &event->elapsed_ns) < 0
	    || read_sentences(reader, object, "failures", &event->failures,
			      &event->failure_count) < 0
	    || read_sentences(reader, object, "timers_ended", &event->timers_ended,
			      &event->timer_ended_count) < 0
	    || read_packets(reader, object, info, event) < 0
	    || read_sockets(reader, object, info, &event->snapshot) < 0)
		return -1;
	event->ret = (long)ret;
	event->fd_argument = (int)fd_argument;
	return 0;
}

static int read_sides(const struct reader *reader, json_t *object, struct run_info *info)
{
	json_t *value;
	if (member(reader, object, "sides", true, &value) < 0)
		return -1;
	if (!json_is_array(value))
		return reader_fail(reader, "sides", "expected an array, got %s",
				   json_type_name(value));
	if (json_array_size(value) < 1 || json_array_size(value) > LESSON_MAX_SIDES)
		return reader_fail(reader, "sides", "%zu sides (1 to %d)", json_array_size(value),
				   LESSON_MAX_SIDES);
	for (size_t i = 0; i < json_array_size(value); i++) {
		json_t *item = json_array_get(value, i);
		char field[32];
		snprintf(field, sizeof field, "sides[%zu]", i);
		if (!json_is_string(item))
			return reader_fail(reader, field, "expected a string, got %s",
					   json_type_name(item));
		if (json_string_length(item) >= NAME_MAX_LEN)
			return reader_fail(reader, field, "longer than %d bytes", NAME_MAX_LEN - 1);
		memcpy(info->sides[i], json_string_value(item), json_string_length(item) + 1);
		info->side_count++;
	}
	const char *problem = sides_problem(info);
	return problem ? reader_fail(reader, "sides", "%s", problem) : 0;
}

static int read_port_map(const struct reader *reader, json_t *object, struct run_info *info)
{
	json_t *value;
	int found = member(reader, object, "port_map", false, &value);
	if (found <= 0)
		return found;
	if (!json_is_array(value))
		return reader_fail(reader, "port_map", "expected an array, got %s",
				   json_type_name(value));
	if (json_array_size(value) > PORT_MAP_MAX)
		return reader_fail(reader, "port_map", "more than %d entries", PORT_MAP_MAX);
	for (size_t i = 0; i < json_array_size(value); i++) {
		json_t *pair = json_array_get(value, i);
		json_t *from = json_array_get(pair, 0), *to = json_array_get(pair, 1);
		char field[32];
		snprintf(field, sizeof field, "port_map[%zu]", i);
		if (!json_is_array(pair) || json_array_size(pair) != 2 || !json_is_integer(from)
		    || !json_is_integer(to) || json_integer_value(from) < 0
		    || json_integer_value(from) > UINT16_MAX || json_integer_value(to) < 0
		    || json_integer_value(to) > UINT16_MAX)
			return reader_fail(reader, field,
					   "expected [from, to], two ports (0 to 65535)");
		info->port_map[i].from = (uint16_t)json_integer_value(from);
		info->port_map[i].to = (uint16_t)json_integer_value(to);
		info->port_map_count++;
	}
	return 0;
}

static int read_info(const struct reader *reader, json_t *object, struct run_info *info)
{
	json_t *version = json_is_object(object) ? json_object_get(object, "socklab_trace") : NULL;
	memset(info, 0, sizeof *info);
	if (!json_is_integer(version))
		return text_error(
			reader->err,
			"%s:1: not a socklab trace (line 1 has no \"socklab_trace\" version)",
			reader->path);
	if (json_integer_value(version) != TRACE_VERSION)
		return text_error(
			reader->err,
			"%s:1: not a socklab trace of this version (version %" JSON_INTEGER_FORMAT
			", this socklab reads version %d)",
			reader->path, json_integer_value(version), TRACE_VERSION);
	if (read_buffer(reader, object, "lesson", true, info->lesson, sizeof info->lesson) < 0
	    || read_buffer(reader, object, "title", true, info->title, sizeof info->title) < 0
	    || read_buffer(reader, object, "sandbox", false, info->sandbox,
			   sizeof info->sandbox) < 0
	    || read_buffer(reader, object, "wire", false, info->wire, sizeof info->wire) < 0
	    || read_buffer(reader, object, "held", false, info->held, sizeof info->held) < 0
	    || read_sides(reader, object, info) < 0
	    || read_size(reader, object, "steps", &info->step_count) < 0
	    || read_port_map(reader, object, info) < 0)
		return -1;
	return 0;
}

/* The whole file into memory ("-": stdin), refusing more than the limit. */
static int read_whole_file(const char *path, char **out, size_t *out_len, char **err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return text_error(err, "%s: cannot open: %s", path, strerror(errno));
	struct stat status;
	/* A regular file says its size: refuse a big one before reading it. */
	bool too_big = fstat(fd, &status) == 0 && S_ISREG(status.st_mode)
		       && (uintmax_t)status.st_size > TRACE_MAX_FILE_SIZE;
	char *text = NULL;
	size_t len = 0, capacity = 0;
	int result = 0;
	while (!too_big && result == 0) {
		if (len == capacity) {
			capacity = capacity ? 2 * capacity : 64 * 1024;
			if (capacity > TRACE_MAX_FILE_SIZE + 1)
				capacity = TRACE_MAX_FILE_SIZE + 1;
			char *grown = realloc(text, capacity);
			if (!grown) {
				result = text_error(err, "%s: out of memory", path);
				break;
			}
			text = grown;
		}
		ssize_t got = read(fd, text + len, capacity - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			result = text_error(err, "%s: cannot read: %s", path, strerror(errno));
			break;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		too_big = len > TRACE_MAX_FILE_SIZE;
	}
	if (!is_stdin)
		close(fd);
	if (too_big && result == 0)
		result = text_error(err, "%s: over %zu MiB: too big for a trace, refused", path,
				    TRACE_MAX_FILE_SIZE >> 20);
	if (result < 0) {
		free(text);
		return -1;
	}
	*out = text;
	*out_len = len;
	return 0;
}

static void free_events(struct lab_event *events, size_t count)
{
	for (size_t i = 0; i < count; i++)
		lab_event_done(&events[i]);
	free(events);
}

/* Parses the lines of a trace held in memory. */
static int read_lines(struct reader *reader, const char *text, size_t len, struct run_info *info,
		      struct lab_event **events, size_t *count)
{
	struct lab_event *list = NULL;
	size_t list_count = 0, capacity = 0;
	int status = 0;
	if (len == 0)
		return text_error(reader->err, "%s:1: not a socklab trace (the file is empty)",
				  reader->path);
	/* The last line's newline ends the trace; an empty line before it is broken JSON. */
	for (size_t start = 0; start < len && status == 0; reader->line++) {
		const char *newline = memchr(text + start, '\n', len - start);
		size_t end = newline ? (size_t)(newline - text) : len;
		json_error_t error;
		/* jansson skips a raw NUL between tokens; a trace is text, so refuse it. */
		const char *nul = memchr(text + start, '\0', end - start);
		json_t *object = nul
			? NULL
			: json_loadb(text + start, end - start, JSON_REJECT_DUPLICATES, &error);
		if (nul) {
			status = text_error(reader->err,
					    "%s:%zu: broken JSON: a NUL byte at column %zu",
					    reader->path, reader->line,
					    (size_t)(nul - (text + start)) + 1);
		} else if (!object) {
			status = text_error(reader->err, "%s:%zu: broken JSON: %s", reader->path,
					    reader->line, error.text);
		} else if (reader->line == 1) {
			status = read_info(reader, object, info);
		} else {
			if (list_count == capacity) {
				size_t grown_capacity = capacity ? 2 * capacity : 64;
				struct lab_event *grown =
					realloc(list, grown_capacity * sizeof *list);
				if (!grown)
					status = text_error(reader->err, "%s:%zu: out of memory",
							    reader->path, reader->line);
				else
					list = grown, capacity = grown_capacity;
			}
			if (status == 0) {
				memset(&list[list_count], 0, sizeof list[list_count]);
				reader->previous = list_count ? &list[list_count - 1].snapshot
							      : NULL;
				/* Counted before it is read: a half-read event is freed
				 * with the rest. */
				status = read_event(reader, object, info, &list[list_count++]);
			}
		}
		json_decref(object);
		start = end + 1;
	}
	if (status < 0) {
		free_events(list, list_count);
		return -1;
	}
	*events = list;
	*count = list_count;
	return 0;
}

int trace_read(const char *path, struct run_info *info, struct lab_event **events, size_t *count,
	       char **err)
{
	char *text = NULL;
	size_t len = 0;
	*events = NULL;
	*count = 0;
	if (read_whole_file(path, &text, &len, err) < 0)
		return -1;
	struct reader reader = { .path = path, .line = 1, .err = err };
	int status = read_lines(&reader, text, len, info, events, count);
	free(text);
	return status;
}

/* ---- normalising ------------------------------------------------------- */

#define PORT_COUNT 65536

struct port_tokens {
	const struct run_info *info;         /* its port_map */
	unsigned char own[PORT_COUNT / 8];   /* bit set: one of the lesson's own ports, kept */
	uint32_t token[PORT_COUNT];          /* 0 none yet, n "$n" */
	uint32_t next_token;
};

/* Where a port sits in text, after a host. */
struct port_place {
	size_t host_start;
	size_t digits_start, digits_end;
	unsigned port;
};

/* Whether text[0, len) is a host as addresses print it: a dotted IPv4
 * address, an IPv6 one in brackets, or "*" (any, as lessons write it). */
static bool is_host(const char *text, size_t len)
{
	char buffer[INET6_ADDRSTRLEN];
	unsigned char address[sizeof(struct in6_addr)];
	int family = AF_INET;
	if (len == 1 && text[0] == '*')
		return true;
	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		family = AF_INET6;
		text++;
		len -= 2;
	}
	if (len >= sizeof buffer)
		return false;
	memcpy(buffer, text, len);
	buffer[len] = '\0';
	return inet_pton(family, buffer, address) == 1;
}

/* Whether text[colon] separates a host from a port, as in
 * "127.0.0.1:65432", "[::1]:65432" or "*:65432". A unix path or the
 * colons inside an IPv6 address are not. */
static bool port_at(const char *text, size_t len, size_t colon, struct port_place *place)
{
	size_t start = colon, end = colon + 1;
	if (colon == 0)
		return false;
	if (text[colon - 1] == ']') {
		const char *open = memrchr(text, '[', colon);
		if (!open)
			return false;
		start = (size_t)(open - text);
	} else if (text[colon - 1] == '*') {
		start = colon - 1;
	} else {
		while (start > 0
		       && (isdigit((unsigned char)text[start - 1]) || text[start - 1] == '.'))
			start--;
	}
	if (!is_host(text + start, colon - start))
		return false;
	unsigned port = 0;
	while (end < len && isdigit((unsigned char)text[end]) && end - colon <= 5)
		port = port * 10 + (unsigned)(text[end++] - '0');
	/* The digits must end the port: "1.2.3.4:80x" or a sixth digit is no port. */
	if (end == colon + 1 || port > UINT16_MAX
	    || (end < len
		&& (isalnum((unsigned char)text[end]) || text[end] == '.' || text[end] == ':')))
		return false;
	*place = (struct port_place){
		.host_start = start, .digits_start = colon + 1, .digits_end = end, .port = port
	};
	return true;
}

/* The lesson's own ports: port_map's `from`, and every port in the calls
 * as written (connect(c, 127.0.0.1:65432)), so 65432 survives. */
static void collect_own_ports(struct port_tokens *tokens, const struct lab_event *events,
			      size_t count)
{
	for (int i = 0; i < tokens->info->port_map_count; i++)
		tokens->own[tokens->info->port_map[i].from / 8] |= 1u
			<< (tokens->info->port_map[i].from % 8);
	for (size_t e = 0; e < count; e++) {
		const char *text = events[e].text;
		size_t len = text ? strlen(text) : 0;
		struct port_place place;
		for (const char *colon = text ? memchr(text, ':', len) : NULL; colon;
		     colon = memchr(colon + 1, ':', len - (size_t)(colon + 1 - text)))
			if (port_at(text, len, (size_t)(colon - text), &place))
				tokens->own[place.port / 8] |= 1u << (place.port % 8);
	}
}

/* Rewrites the port of an internet address: the lesson's port for a
 * mapped kernel port, an own port as is, any other as its token. */
static void normalise_value(struct port_tokens *tokens, struct lab_address *address)
{
	if (!lab_address_is_inet(address) || (address->flags & LAB_ADDRESS_PORT_TOKEN))
		return;
	unsigned port = address->port;
	for (int i = 0; i < tokens->info->port_map_count; i++) {
		if (tokens->info->port_map[i].to == port) {
			address->port = tokens->info->port_map[i].from;
			return;
		}
	}
	if (tokens->own[port / 8] & (1u << (port % 8)))
		return;
	if (!tokens->token[port])
		tokens->token[port] = ++tokens->next_token;
	address->port = tokens->token[port];
	address->flags |= LAB_ADDRESS_PORT_TOKEN;
}

static bool data_only(const struct wire_packet *packet)
{
	return packet->protocol == IPPROTO_TCP && packet->length > 0
	       && (packet->flags == PACKET_FLAG_ACK
		   || packet->flags == (PACKET_FLAG_PSH | PACKET_FLAG_ACK));
}

/* How a stream of data is cut into segments, and whether one is sent
 * again (a tail-loss probe), depends on timing: on when the receiver's
 * window opened, on a loaded machine. A golden trace keeps one segment
 * for each run of data-only segments in one direction within an event:
 * from the lowest sequence number to the highest end, PSH if any had it.
 * Pure ACKs go first (see pure_ack). What the step moved stays exact. */
static void coalesce_data(struct lab_event *event)
{
	size_t kept = 0;
	for (size_t i = 0; i < event->packet_count; i++) {
		struct wire_packet *packet = &event->packets[i];
		if (pure_ack(packet))
			continue;
		struct wire_packet *last = kept ? &event->packets[kept - 1] : NULL;
		if (last && data_only(last) && data_only(packet)
		    && last->from_side == packet->from_side
		    && lab_address_equal(&last->from, &packet->from)
		    && lab_address_equal(&last->to, &packet->to)) {
			uint32_t end = last->seq + last->length,
				 packet_end = packet->seq + packet->length;
			if (packet->seq < last->seq) {
				memcpy(last->payload, packet->payload, sizeof last->payload);
				last->seq = packet->seq;
			}
			last->length = (packet_end > end ? packet_end : end) - last->seq;
			last->ack = packet->ack > last->ack ? packet->ack : last->ack;
			last->flags |= packet->flags & PACKET_FLAG_PSH;
			continue;
		}
		if (kept != i)
			event->packets[kept] = *packet;
		kept++;
	}
	event->packet_count = kept;
}

/* Tokens are handed out in reading order: each event's address, then its
 * sockets' local and peer addresses. Returns 0, -1 out of memory. */
static int normalise_events(struct port_tokens *tokens, struct lab_event *events, size_t count)
{
	collect_own_ports(tokens, events, count);
	for (size_t e = 0; e < count; e++) {
		/* fork()'s pid differs every run: the parent's answer reads 1. */
		if (events[e].call == CALL_FORK && events[e].ret > 0)
			events[e].ret = 1;
		normalise_value(tokens, &events[e].address);
		normalise_value(tokens, &events[e].target);
		coalesce_data(&events[e]);
		for (size_t i = 0; i < events[e].packet_count; i++) {
			normalise_value(tokens, &events[e].packets[i].from);
			normalise_value(tokens, &events[e].packets[i].to);
		}
		for (size_t i = 0; i < events[e].snapshot.count; i++) {
			struct lab_socket *socket = lab_snapshot_edit(&events[e].snapshot, i);
			if (!socket)
				return -1;
			normalise_value(tokens, &socket->local);
			normalise_value(tokens, &socket->peer);
		}
	}
	return 0;
}

int trace_normalise(const char *path, FILE *out, char **err)
{
	struct run_info info;
	struct lab_event *events;
	size_t count;
	if (trace_read(path, &info, &events, &count, err) < 0)
		return -1;
	struct port_tokens *tokens = calloc(1, sizeof *tokens);
	int status = tokens ? 0 : text_error(err, "%s: out of memory", path);
	char name[300];
	snprintf(name, sizeof name, "normalised %s", path);
	if (status == 0) {
		tokens->info = &info;
		if (normalise_events(tokens, events, count) < 0)
			status = text_error(err, "%s: out of memory", path);
	}
	if (status == 0) {
		status = write_line(out, name, info_json(&info, true), "the first line", err);
	}
	for (size_t i = 0; i < count && status == 0; i++) {
		char what[48];
		snprintf(what, sizeof what, "event %zu", events[i].seq);
		status = write_line(out, name, event_json(&info, &events[i], true), what, err);
	}
	free(tokens);
	free_events(events, count);
	return status;
}
