/* Tests for trace: events written and read back field for field, the
 * documented line format, normalisation of ports, and a reader that gives
 * a `file:line: field: ...` message for every bad input and never crashes,
 * whatever part of a trace it is given.
 *
 * Each test runs in its own process (Criterion forks), with a private
 * temporary directory made by the suite's init and removed by its fini.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "packet_flags.h"
#include "trace.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/fixtures"
#endif

#define LESSON_PORT 65432

static char temp_dir[64];

static void make_temp_dir(void)
{
	snprintf(temp_dir, sizeof temp_dir, "/tmp/socklab-trace-XXXXXX");
	cr_assert_not_null(mkdtemp(temp_dir), "mkdtemp: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *status, int flag, struct FTW *ftw)
{
	(void)status, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_temp_dir(void)
{
	if (temp_dir[0])
		nftw(temp_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(trace, .init = make_temp_dir, .fini = remove_temp_dir);

/* ---- helpers ------------------------------------------------------------ */

/* A path in the test's directory; static storage, one at a time per name slot. */
static const char *temp_file(const char *name)
{
	static char paths[4][128];
	static int next;
	char *path = paths[next++ % 4];
	snprintf(path, sizeof paths[0], "%s/%s", temp_dir, name);
	return path;
}

static void write_file(const char *path, const void *bytes, size_t len)
{
	FILE *file = fopen(path, "w");
	cr_assert_not_null(file, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(bytes, 1, len, file), len);
	cr_assert_eq(fclose(file), 0);
}

static char *read_text_file(const char *path, size_t *len)
{
	FILE *file = fopen(path, "r");
	cr_assert_not_null(file, "%s: %s", path, strerror(errno));
	char *text = NULL;
	size_t size = 0;
	FILE *memory = open_memstream(&text, &size);
	cr_assert_not_null(memory);
	char buffer[4096];
	size_t got;
	while ((got = fread(buffer, 1, sizeof buffer, file)) > 0)
		fwrite(buffer, 1, got, memory);
	fclose(file);
	fclose(memory);
	if (len)
		*len = size;
	return text;
}

static void sample_info(struct run_info *info)
{
	memset(info, 0, sizeof *info);
	snprintf(info->lesson, sizeof info->lesson, "01-echo");
	snprintf(info->title, sizeof info->title, "An echo server — one \"client\"");
	snprintf(info->sandbox, sizeof info->sandbox, "private network namespace");
	snprintf(info->sides[0], sizeof info->sides[0], "server");
	snprintf(info->sides[1], sizeof info->sides[1], "client");
	info->side_count = 2;
	info->step_count = 16;
}

static struct lab_socket *add_socket(struct lab_event *event, int side, int fd, const char *name,
				     int family, int type, int state, const char *local,
				     const char *peer)
{
	struct lab_snapshot *snapshot = &event->snapshot;
	static const struct lab_socket blank;
	cr_assert_eq(lab_snapshot_append(snapshot, &blank), 0);
	struct lab_socket *socket = lab_snapshot_edit(snapshot, snapshot->count - 1);
	cr_assert_not_null(socket);
	socket->side = side;
	socket->fd = fd;
	snprintf(socket->name, sizeof socket->name, "%s", name);
	socket->family = family;
	socket->type = type;
	socket->state = state;
	cr_assert_eq(lab_address_parse(local, &socket->local), 0);
	cr_assert_eq(lab_address_parse(peer, &socket->peer), 0);
	return socket;
}

static struct lab_event *add_event(struct lab_event **events, size_t *count, enum event_kind kind,
				   int side, enum call_id call, const char *text, long ret)
{
	struct lab_event *grown = realloc(*events, (*count + 1) * sizeof *grown);
	cr_assert_not_null(grown);
	*events = grown;
	struct lab_event *event = &grown[(*count)++];
	memset(event, 0, sizeof *event);
	event->fd_argument = -1;   /* no socket argument, as the session records it */
	event->seq = *count;
	event->step = *count;
	event->kind = kind;
	event->side = side;
	event->call = call;
	event->text = text ? strdup(text) : NULL;
	event->ret = ret;
	return event;
}

static void set_bytes(struct lab_event *event, const void *bytes, size_t len)
{
	event->bytes = malloc(len ? len : 1);
	cr_assert_not_null(event->bytes);
	memcpy(event->bytes, bytes, len);
	event->bytes_len = len;
}

static void add_failure(struct lab_event *event, const char *text)
{
	char **grown = realloc(event->failures, (event->failure_count + 1) * sizeof *grown);
	cr_assert_not_null(grown);
	event->failures = grown;
	event->failures[event->failure_count++] = strdup(text);
}

static void free_events(struct lab_event *events, size_t count)
{
	for (size_t i = 0; i < count; i++)
		lab_event_done(&events[i]);
	free(events);
}

#define RECEIVED "\x00\x1b\n\"\\ hi \xff\r\t~"

/* Every kind, every optional field, every state spelling, awkward bytes. */
static void sample_events(struct lab_event **events, size_t *count)
{
	struct lab_event *event;
	struct lab_socket *socket;
	*events = NULL;
	*count = 0;

	event = add_event(events, count, EVENT_RETURNED, 0, CALL_SOCKET,
			  "ls = socket(AF_INET, SOCK_STREAM)", 3);
	event->elapsed_ns = 12345;
	socket = add_socket(event, 0, 3, "ls", AF_INET, SOCK_STREAM, 0, "", "");
	socket->note = NOTE_UNBOUND;
	socket->changes = CHANGE_NEW;

	event = add_event(events, count, EVENT_BLOCKED, 0, CALL_ACCEPT, "conn = accept(ls)", 0);
	event->elapsed_ns = 41237;
	socket = add_socket(event, 0, 3, "ls", AF_INET, SOCK_STREAM, 10, "127.0.0.1:65432", "*");
	socket->send_queue = 5;
	socket->inode = 12345;
	socket->changes = CHANGE_STATE | CHANGE_QUEUE;

	event = add_event(events, count, EVENT_WOKE, 0, CALL_ACCEPT, "conn = accept(ls)", 4);
	cr_assert_eq(lab_address_parse("127.0.0.1:51000", &event->address), 0);
	event->elapsed_ns = 1000;
	add_socket(event, 0, 3, "ls", AF_INET, SOCK_STREAM, 10, "127.0.0.1:65432", "*");
	socket = add_socket(event, -1, -1, "", AF_INET, SOCK_STREAM, 12, "127.0.0.1:65432",
			    "127.0.0.1:51002");
	socket->note = NOTE_UNKNOWN;
	socket = add_socket(event, 1, -1, "", AF_INET, SOCK_STREAM, 6, "127.0.0.1:51003",
			    "127.0.0.1:65432");
	socket->timer_ms = 59999;
	socket->note = NOTE_CLOSED;
	socket = add_socket(event, 0, -1, "", AF_INET6, SOCK_STREAM, 3, "[::1]:65432",
			    "[::1]:51004");
	socket->note = NOTE_ACCEPT_QUEUE;
	socket->recv_queue = 4294967295u;

	event = add_event(events, count, EVENT_RETURNED, 1, CALL_RECV, "recv(c, 1024)",
			  sizeof RECEIVED - 1);
	set_bytes(event, RECEIVED, sizeof RECEIVED - 1);
	event->elapsed_ns = 999999999;

	event = add_event(events, count, EVENT_RETURNED, 1, CALL_CONNECT,
			  "connect(c, 127.0.0.1:65432)", -1);
	event->error = ECONNREFUSED;
	add_failure(event, "lessons/01-echo.lesson:14: expected 0, kernel says -1 ECONNREFUSED");
	add_failure(event, "a \"quoted\" — failure\\");

	event = add_event(events, count, EVENT_RETURNED, 1, CALL_GETSOCKOPT, NULL, 0);
	event->error = 133;   /* EHWPOISON: no name in the catalog */
	event->value = -7;
	event->has_value = true;
	set_bytes(event, "", 0);

	event = add_event(events, count, EVENT_NOT_RUN, 1, CALL_CLOSE, "close(c)", 0);
	event->elapsed_ns = 123456789012;
	socket = add_socket(event, 1, 5, "u", AF_INET, SOCK_DGRAM, 7, "0.0.0.0:9999", "*");
	socket->changes = CHANGE_NEW | CHANGE_STATE | CHANGE_QUEUE | CHANGE_FD;
	add_socket(event, 1, 6, "x", AF_UNIX, SOCK_STREAM, 7, "/tmp/echo.sock", "*");
	add_socket(event, 1, 7, "b", AF_INET, SOCK_STREAM, 7, "127.0.0.1:65433", "*");
	add_socket(event, 1, 10, "b6", AF_INET6, SOCK_STREAM, 13, "[::1]:65433", "*");
	add_socket(event, 0, 8, "sp", AF_UNIX, SOCK_SEQPACKET, 1, "@abstract\\x00name",
		   "(unnamed)");
	add_socket(event, 0, 9, "odd", 99, 42, 200, "?", "?");
	add_socket(event, 1, 2147483647, "fifteen-chars-x", AF_INET, SOCK_STREAM, 8, "1.2.3.4:5",
		   "6.7.8.9:10");
}

static void write_trace(const char *path, const struct run_info *info,
			const struct lab_event *events, size_t count)
{
	struct trace_writer *writer;
	char *err = NULL;
	cr_assert_eq(trace_writer_open(&writer, path, &err), 0, "%s", err);
	cr_assert_eq(trace_write_info(writer, info, &err), 0, "%s", err);
	for (size_t i = 0; i < count; i++)
		cr_assert_eq(trace_write_event(writer, &events[i], &err), 0, "%s", err);
	cr_assert_eq(trace_writer_close(writer, &err), 0, "%s", err);
}

static void assert_info_equal(const struct run_info *a, const struct run_info *b)
{
	cr_assert_str_eq(a->lesson, b->lesson);
	cr_assert_str_eq(a->title, b->title);
	cr_assert_str_eq(a->sandbox, b->sandbox);
	cr_assert_eq(a->side_count, b->side_count);
	for (int i = 0; i < a->side_count; i++)
		cr_assert_str_eq(a->sides[i], b->sides[i]);
	cr_assert_eq(a->step_count, b->step_count);
	cr_assert_eq(a->port_map_count, b->port_map_count);
	for (int i = 0; i < a->port_map_count; i++) {
		cr_assert_eq(a->port_map[i].from, b->port_map[i].from);
		cr_assert_eq(a->port_map[i].to, b->port_map[i].to);
	}
}

static void assert_socket_equal(const struct lab_socket *a, const struct lab_socket *b,
				size_t event, size_t index)
{
	cr_assert_eq(a->side, b->side, "event %zu socket %zu", event, index);
	cr_assert_eq(a->fd, b->fd, "event %zu socket %zu", event, index);
	cr_assert_str_eq(a->name, b->name, "event %zu socket %zu", event, index);
	cr_assert_eq(a->family, b->family, "event %zu socket %zu", event, index);
	cr_assert_eq(a->type, b->type, "event %zu socket %zu", event, index);
	cr_assert_eq(a->state, b->state, "event %zu socket %zu: %d", event, index, b->state);
	cr_assert(lab_address_equal(&a->local, &b->local), "event %zu socket %zu: %s", event, index,
		  lab_address_shown(&b->local).text);
	cr_assert(lab_address_equal(&a->peer, &b->peer), "event %zu socket %zu: %s", event, index,
		  lab_address_shown(&b->peer).text);
	cr_assert_eq(a->recv_queue, b->recv_queue, "event %zu socket %zu", event, index);
	cr_assert_eq(a->send_queue, b->send_queue, "event %zu socket %zu", event, index);
	cr_assert_eq(a->timer_ms, b->timer_ms, "event %zu socket %zu", event, index);
	cr_assert_eq(a->inode, b->inode, "event %zu socket %zu", event, index);
	cr_assert_eq(a->note, b->note, "event %zu socket %zu", event, index);
	cr_assert_eq(a->changes, b->changes, "event %zu socket %zu", event, index);
}

static void assert_event_equal(const struct lab_event *a, const struct lab_event *b, size_t i)
{
	cr_assert_eq(a->seq, b->seq, "event %zu", i);
	cr_assert_eq(a->step, b->step, "event %zu", i);
	cr_assert_eq(a->kind, b->kind, "event %zu", i);
	cr_assert_eq(a->side, b->side, "event %zu", i);
	cr_assert_eq(a->call, b->call, "event %zu", i);
	cr_assert_eq(a->text == NULL, b->text == NULL, "event %zu", i);
	if (a->text)
		cr_assert_str_eq(a->text, b->text, "event %zu", i);
	cr_assert_eq(a->ret, b->ret, "event %zu", i);
	cr_assert_eq(a->error, b->error, "event %zu", i);
	cr_assert_eq(a->bytes == NULL, b->bytes == NULL, "event %zu", i);
	cr_assert_eq(a->bytes_len, b->bytes_len, "event %zu", i);
	if (a->bytes_len)
		cr_assert_arr_eq(a->bytes, b->bytes, a->bytes_len, "event %zu", i);
	cr_assert(lab_address_equal(&a->address, &b->address), "event %zu", i);
	cr_assert(lab_address_equal(&a->target, &b->target), "event %zu", i);
	cr_assert_eq(a->has_value, b->has_value, "event %zu", i);
	cr_assert_eq(a->value, b->value, "event %zu", i);
	cr_assert_eq(a->elapsed_ns, b->elapsed_ns, "event %zu: %llu", i,
		     (unsigned long long)b->elapsed_ns);
	cr_assert_eq(a->failure_count, b->failure_count, "event %zu", i);
	for (size_t k = 0; k < a->failure_count; k++)
		cr_assert_str_eq(a->failures[k], b->failures[k], "event %zu", i);
	cr_assert_eq(a->snapshot.count, b->snapshot.count, "event %zu", i);
	for (size_t k = 0; k < a->snapshot.count; k++)
		assert_socket_equal(a->snapshot.sockets[k], b->snapshot.sockets[k], i, k);
}

/* Line `number` (1-based) of text, malloc'd without its newline. */
static char *line_of(const char *text, int number)
{
	for (int i = 1; i < number && text; i++) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	cr_assert_not_null(text, "no line %d", number);
	return strndup(text, strcspn(text, "\n"));
}

static char *normalise_to_text(const char *path)
{
	char *text = NULL, *err = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	cr_assert_not_null(out);
	int status = trace_normalise(path, out, &err);
	fclose(out);
	cr_assert_eq(status, 0, "%s", err);
	return text;
}

/* ---- round trip and format ---------------------------------------------- */

Test(trace, reads_back_every_field_it_wrote)
{
	struct run_info info, read_info;
	struct lab_event *events, *read_events;
	size_t count, read_count;
	char *err = NULL;
	const char *path = temp_file("round.jsonl");

	sample_info(&info);
	info.port_map[0].from = LESSON_PORT;
	info.port_map[0].to = 41234;
	info.port_map[1].from = 65433;
	info.port_map[1].to = 41235;
	info.port_map_count = 2;
	sample_events(&events, &count);
	write_trace(path, &info, events, count);

	cr_assert_eq(trace_read(path, &read_info, &read_events, &read_count, &err), 0, "%s", err);
	assert_info_equal(&info, &read_info);
	cr_assert_eq(read_count, count);
	for (size_t i = 0; i < count; i++)
		assert_event_equal(&events[i], &read_events[i], i);
	free_events(events, count);
	free_events(read_events, read_count);
}

Test(trace, writes_the_documented_lines)
{
	struct run_info info;
	struct lab_event *events;
	size_t count;
	const char *path = temp_file("format.jsonl");

	sample_info(&info);
	info.port_map[0].from = LESSON_PORT;
	info.port_map[0].to = 41234;
	info.port_map_count = 1;
	sample_events(&events, &count);
	write_trace(path, &info, events, count);
	free_events(events, count);

	char *text = read_text_file(path, NULL);
	char *line = line_of(text, 1);
	cr_assert_str_eq(line,
			 "{\"socklab_trace\":1,\"lesson\":\"01-echo\",\"title\":\"An echo server — "
			 "one \\\"client\\\"\",\"sandbox\":\"private network "
			 "namespace\",\"sides\":[\"server\",\"client\"],\"steps\":16,\"port_map\":["
			 "[65432,41234]]}");
	free(line);
	line = line_of(text, 3);
	cr_assert_str_eq(line,
			 "{\"seq\":2,\"step\":2,\"kind\":\"blocked\",\"side\":\"server\",\"call\":"
			 "\"accept\",\"text\":\"conn = "
			 "accept(ls)\",\"ret\":0,\"errno\":null,\"bytes\":null,\"us\":41.237,"
			 "\"sockets\":[{\"side\":\"server\",\"fd\":3,\"name\":\"ls\",\"family\":"
			 "\"AF_INET\",\"type\":\"SOCK_STREAM\",\"state\":\"LISTEN\",\"local\":"
			 "\"127.0.0.1:65432\",\"peer\":\"*\",\"rq\":0,\"wq\":5,\"timer_ms\":0,"
			 "\"inode\":12345,\"changes\":[\"state\",\"queue\"]}]}");
	free(line);
	/* Received bytes: the lesson's escapes inside a JSON string. */
	line = line_of(text, 5);
	cr_assert(strstr(line,
			 "\"bytes\":\"\\\\x00\\\\x1b\\\\n\\\\\\\"\\\\\\\\ hi \\\\xff\\\\r\\\\t~\"")
			  != NULL,
		  "%s", line);
	free(line);
	line = line_of(text, 6);
	cr_assert(strstr(line,
			 "\"ret\":-1,\"errno\":\"ECONNREFUSED\",\"bytes\":null,\"us\":0.0,"
			 "\"failures\":[") != NULL,
		  "%s", line);
	free(line);
	line = line_of(text, 7);
	cr_assert(strstr(line, "\"text\":null,\"ret\":0,\"errno\":133,\"bytes\":\"\",\"value\":-7,")
			  != NULL,
		  "%s", line);
	free(line);
	/* Unbound: "-"; in TCP_CLOSE a UDP or unix socket is UNCONN, a TCP
	 * one CLOSE (bound, neither listening nor connected: lab_socket_state_text);
	 * a request socket (12), 13 and unknown numbers stay numbers. */
	line = line_of(text, 2);
	cr_assert(strstr(line, "\"state\":\"-\",\"local\":\"\",\"peer\":\"\"") != NULL, "%s", line);
	cr_assert(strstr(line, "\"note\":\"no address yet\",\"changes\":[\"new\"]}") != NULL, "%s",
		  line);
	free(line);
	line = line_of(text, 4);
	cr_assert(strstr(line, "\"address\":\"127.0.0.1:51000\",\"us\":1.0,") != NULL, "%s", line);
	cr_assert(strstr(line,
			 "{\"side\":null,\"fd\":-1,\"name\":\"\",\"family\":\"AF_INET\",\"type\":"
			 "\"SOCK_STREAM\",\"state\":12,") != NULL,
		  "%s", line);
	cr_assert(strstr(line, "\"state\":\"TIME-WAIT\"") != NULL, "%s", line);
	cr_assert(strstr(line, "\"timer_ms\":59999") != NULL, "%s", line);
	free(line);
	line = line_of(text, 8);
	cr_assert(strstr(line, "\"type\":\"SOCK_DGRAM\",\"state\":\"UNCONN\"") != NULL, "%s", line);
	cr_assert(strstr(line,
			 "\"family\":\"AF_UNIX\",\"type\":\"SOCK_STREAM\",\"state\":\"UNCONN\"")
			  != NULL,
		  "%s", line);
	cr_assert(strstr(line,
			 "\"name\":\"b\",\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"state\":"
			 "\"CLOSE\"") != NULL,
		  "%s", line);
	cr_assert(strstr(line,
			 "\"family\":\"AF_INET6\",\"type\":\"SOCK_STREAM\",\"state\":13,") != NULL,
		  "%s", line);
	cr_assert(strstr(line, "\"family\":99,\"type\":42,\"state\":200,") != NULL, "%s", line);
	cr_assert(strstr(line, "\"changes\":[\"new\",\"state\",\"queue\",\"fd\"]") != NULL, "%s",
		  line);
	cr_assert(strstr(line, "\"us\":123456789.012,") != NULL, "%s", line);
	free(line);
	free(text);
}

Test(trace, reads_a_trace_without_optional_keys)
{
	const char *path = temp_file("minimal.jsonl");
	const char *text =
		"{\"socklab_trace\":1,\"lesson\":\"x\",\"title\":\"\",\"sides\":[\"a\"],\"steps\":"
		"1}\n"
		"{\"seq\":1,\"step\":1,\"kind\":\"not "
		"run\",\"side\":null,\"call\":\"close\",\"text\":null,\"ret\":0,\"errno\":null,"
		"\"bytes\":\"\\\\x41\\\\x4A\\u00e9\",\"sockets\":[],\"future\":{\"ignored\":true}}";
	struct run_info info;
	struct lab_event *events;
	size_t count;
	char *err = NULL;
	write_file(path, text, strlen(text));
	cr_assert_eq(trace_read(path, &info, &events, &count, &err), 0, "%s", err);
	cr_assert_str_eq(info.sandbox, "");
	cr_assert_eq(info.port_map_count, 0);
	cr_assert_eq(count, 1);
	cr_assert_eq(events[0].kind, EVENT_NOT_RUN);
	cr_assert_eq(events[0].side, -1);
	cr_assert_eq(events[0].elapsed_ns, 0);
	cr_assert_eq(events[0].snapshot.count, 0);
	/* \xHH in either case; UTF-8 stands for its own bytes. */
	cr_assert_eq(events[0].bytes_len, 4);
	cr_assert_arr_eq(events[0].bytes, "AJ\xc3\xa9", 4);
	free_events(events, count);
}

Test(trace, reads_stdin_when_given_a_dash)
{
	struct run_info info;
	struct lab_event *events, *read_events;
	size_t count, read_count;
	char *err = NULL;
	const char *path = temp_file("stdin.jsonl");
	sample_info(&info);
	sample_events(&events, &count);
	write_trace(path, &info, events, count);
	int fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	cr_assert_eq(trace_read("-", &info, &read_events, &read_count, &err), 0, "%s", err);
	cr_assert_eq(read_count, count);
	free_events(events, count);
	free_events(read_events, read_count);
}

/* ---- the writer's errors ------------------------------------------------ */

Test(trace, writer_refuses_what_it_cannot_write)
{
	struct trace_writer *writer;
	struct run_info info;
	struct lab_event *events;
	size_t count;
	char *err = NULL;

	cr_assert_eq(trace_writer_open(&writer, "/nonexistent-dir/x.jsonl", &err), -1);
	cr_assert_str_eq(err, "/nonexistent-dir/x.jsonl: cannot create: No such file or directory");
	free(err);
	cr_assert_eq(trace_writer_close(NULL, NULL), 0);

	sample_info(&info);
	sample_events(&events, &count);
	const char *path = temp_file("refused.jsonl");
	cr_assert_eq(trace_writer_open(&writer, path, &err), 0, "%s", err);
	cr_assert_eq(trace_write_event(writer, &events[0], &err), -1);
	cr_assert(strstr(err, "before the trace's first line") != NULL, "%s", err);
	free(err);

	struct run_info no_sides = info;
	no_sides.side_count = 0;
	cr_assert_eq(trace_write_info(writer, &no_sides, &err), -1);
	free(err);
	struct run_info twins = info;
	snprintf(twins.sides[1], sizeof twins.sides[1], "server");
	cr_assert_eq(trace_write_info(writer, &twins, &err), -1);
	cr_assert(strstr(err, "same name") != NULL, "%s", err);
	free(err);

	cr_assert_eq(trace_write_info(writer, &info, &err), 0, "%s", err);
	cr_assert_eq(trace_write_info(writer, &info, &err), -1);
	free(err);
	events[0].side = 2;
	cr_assert_eq(trace_write_event(writer, &events[0], &err), -1);
	cr_assert(strstr(err, "side 2 is not one of the 2 sides") != NULL, "%s", err);
	free(err);
	events[0].side = 0;
	lab_snapshot_edit(&events[0].snapshot, 0)->note = NOTE_COUNT;
	cr_assert_eq(trace_write_event(writer, &events[0], &err), -1);
	free(err);
	lab_snapshot_edit(&events[0].snapshot, 0)->note = NOTE_NONE;
	free(events[0].text);
	events[0].text = strdup("bad \xff UTF-8");
	cr_assert_eq(trace_write_event(writer, &events[0], &err), -1);
	cr_assert(strstr(err, "not UTF-8") != NULL, "%s", err);
	free(err);
	cr_assert_eq(trace_writer_close(writer, &err), 0, "%s", err);
	free_events(events, count);
}

Test(trace, writer_to_stdout_leaves_it_open)
{
	struct trace_writer *writer;
	struct run_info info;
	char *err = NULL;
	const char *path = temp_file("stdout.jsonl");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	fflush(stdout);
	cr_assert_eq(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	close(fd);
	sample_info(&info);
	cr_assert_eq(trace_writer_open(&writer, "-", &err), 0, "%s", err);
	cr_assert_eq(trace_write_info(writer, &info, &err), 0, "%s", err);
	cr_assert_eq(trace_writer_close(writer, &err), 0, "%s", err);
	cr_assert_neq(fputs("still open\n", stdout), EOF);
	cr_assert_eq(fflush(stdout), 0);
	char *text = read_text_file(path, NULL);
	cr_assert(strncmp(text, "{\"socklab_trace\":1,", 19) == 0, "%s", text);
	cr_assert(strstr(text, "}\nstill open\n") != NULL, "%s", text);
	free(text);
}

/* ---- normalisation ------------------------------------------------------ */

/* One run of a lesson on the host path: the lesson's 65432 is the kernel's
 * `kernel_port`, the client's ephemeral ports are first_port + 0, 1, 2. */
static void host_run(const char *path, unsigned kernel_port, unsigned first_port, uint32_t inode,
		     uint64_t ns)
{
	struct run_info info;
	struct lab_event *events = NULL;
	size_t count = 0;
	struct lab_event *event;
	struct lab_socket *socket;
	char listen[64], client[64], client2[64], client6[64], peer6[64], udp[64];

	sample_info(&info);
	snprintf(info.sandbox, sizeof info.sandbox, "host network, run %u", first_port);
	info.port_map[0].from = LESSON_PORT;
	info.port_map[0].to = (uint16_t)kernel_port;
	info.port_map_count = 1;
	snprintf(listen, sizeof listen, "127.0.0.1:%u", kernel_port);
	snprintf(client, sizeof client, "127.0.0.1:%u", first_port);
	snprintf(client2, sizeof client2, "127.0.0.1:%u", first_port + 1);
	snprintf(client6, sizeof client6, "[::1]:%u", first_port + 2);
	snprintf(peer6, sizeof peer6, "[::1]:%u", kernel_port);
	snprintf(udp, sizeof udp, "0.0.0.0:%u", first_port + 1);

	event = add_event(&events, &count, EVENT_RETURNED, 1, CALL_CONNECT,
			  "connect(c, 127.0.0.1:65432)", 0);
	event->elapsed_ns = ns;
	socket = add_socket(event, 0, 3, "ls", AF_INET, SOCK_STREAM, 10, listen, "*");
	socket->inode = inode;
	socket = add_socket(event, 1, 3, "c", AF_INET, SOCK_STREAM, 1, client, listen);
	socket->inode = inode + 1;
	socket = add_socket(event, 0, -1, "", AF_INET, SOCK_STREAM, 1, listen, client);
	socket->note = NOTE_ACCEPT_QUEUE;

	event = add_event(&events, &count, EVENT_RETURNED, 0, CALL_ACCEPT, "conn = accept(ls)", 4);
	cr_assert_eq(lab_address_parse(client, &event->address), 0);
	event->elapsed_ns = ns * 3;
	add_socket(event, 1, 4, "c2", AF_INET, SOCK_STREAM, 1, client2, listen);
	add_socket(event, 1, 5, "c6", AF_INET6, SOCK_STREAM, 2, client6, peer6);
	add_socket(event, 1, 6, "u", AF_INET, SOCK_DGRAM, 7, udp, "*");
	add_socket(event, 1, 7, "x", AF_UNIX, SOCK_STREAM, 10, "/tmp/127.0.0.1:80", "*");
	socket = add_socket(event, 1, -1, "", AF_INET, SOCK_STREAM, 6, client, listen);
	socket->timer_ms = (uint32_t)(ns % 60000);

	write_trace(path, &info, events, count);
	free_events(events, count);
}

static const char *const host_run_normalised =
	"{\"socklab_trace\":1,\"lesson\":\"01-echo\",\"title\":\"An echo server — one "
	"\\\"client\\\"\",\"sides\":[\"server\",\"client\"],\"steps\":16}\n"
	"{\"seq\":1,\"step\":1,\"kind\":\"returned\",\"side\":\"client\",\"call\":\"connect\","
	"\"text\":\"connect(c, "
	"127.0.0.1:65432)\",\"ret\":0,\"errno\":null,\"bytes\":null,\"sockets\":[{\"side\":"
	"\"server\",\"fd\":3,\"name\":\"ls\",\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\","
	"\"state\":\"LISTEN\",\"local\":\"127.0.0.1:65432\",\"peer\":\"*\",\"rq\":0,\"wq\":0},{"
	"\"side\":\"client\",\"fd\":3,\"name\":\"c\",\"family\":\"AF_INET\",\"type\":\"SOCK_"
	"STREAM\",\"state\":\"ESTABLISHED\",\"local\":\"127.0.0.1:$1\",\"peer\":\"127.0.0.1:"
	"65432\",\"rq\":0,\"wq\":0},{\"side\":\"server\",\"fd\":-1,\"name\":\"\",\"family\":\"AF_"
	"INET\",\"type\":\"SOCK_STREAM\",\"state\":\"ESTABLISHED\",\"local\":\"127.0.0.1:65432\","
	"\"peer\":\"127.0.0.1:$1\",\"rq\":0,\"wq\":0,\"note\":\"in accept queue, no fd\"}]}\n"
	"{\"seq\":2,\"step\":2,\"kind\":\"returned\",\"side\":\"server\",\"call\":\"accept\","
	"\"text\":\"conn = "
	"accept(ls)\",\"ret\":4,\"errno\":null,\"bytes\":null,\"address\":\"127.0.0.1:$1\","
	"\"sockets\":[{\"side\":\"client\",\"fd\":4,\"name\":\"c2\",\"family\":\"AF_INET\","
	"\"type\":\"SOCK_STREAM\",\"state\":\"ESTABLISHED\",\"local\":\"127.0.0.1:$2\",\"peer\":"
	"\"127.0.0.1:65432\",\"rq\":0,\"wq\":0},{\"side\":\"client\",\"fd\":5,\"name\":\"c6\","
	"\"family\":\"AF_INET6\",\"type\":\"SOCK_STREAM\",\"state\":\"SYN-SENT\",\"local\":\"[::1]:"
	"$3\",\"peer\":\"[::1]:65432\",\"rq\":0,\"wq\":0},{\"side\":\"client\",\"fd\":6,\"name\":"
	"\"u\",\"family\":\"AF_INET\",\"type\":\"SOCK_DGRAM\",\"state\":\"UNCONN\",\"local\":\"0.0."
	"0.0:$2\",\"peer\":\"*\",\"rq\":0,\"wq\":0},{\"side\":\"client\",\"fd\":7,\"name\":\"x\","
	"\"family\":\"AF_UNIX\",\"type\":\"SOCK_STREAM\",\"state\":\"LISTEN\",\"local\":\"/tmp/"
	"127.0.0.1:80\",\"peer\":\"*\",\"rq\":0,\"wq\":0},{\"side\":\"client\",\"fd\":-1,\"name\":"
	"\"\",\"family\":\"AF_INET\",\"type\":\"SOCK_STREAM\",\"state\":\"TIME-WAIT\",\"local\":"
	"\"127.0.0.1:$1\",\"peer\":\"127.0.0.1:65432\",\"rq\":0,\"wq\":0}]}\n";

Test(trace, normalising_maps_host_ports_back_and_tokens_ephemeral_ones)
{
	const char *path = temp_file("host.jsonl");
	host_run(path, 41234, 51000, 777, 41237);
	char *text = normalise_to_text(path);
	cr_assert_str_eq(text, host_run_normalised);
	free(text);
}

Test(trace, two_runs_of_a_lesson_normalise_to_the_same_text)
{
	const char *first = temp_file("first.jsonl"), *second = temp_file("second.jsonl");
	host_run(first, 41234, 51000, 777, 41237);
	host_run(second, 38001, 40110, 99999, 5);
	char *first_text = read_text_file(first, NULL), *second_text = read_text_file(second, NULL);
	cr_assert_str_neq(first_text, second_text);
	free(first_text);
	free(second_text);
	first_text = normalise_to_text(first);
	second_text = normalise_to_text(second);
	cr_assert_str_eq(first_text, second_text);
	free(first_text);
	free(second_text);
}

Test(trace, normalising_a_normalised_trace_changes_nothing)
{
	const char *path = temp_file("host.jsonl"), *normalised = temp_file("normalised.jsonl");
	host_run(path, 41234, 51000, 777, 41237);
	char *text = normalise_to_text(path);
	write_file(normalised, text, strlen(text));
	char *again = normalise_to_text(normalised);
	cr_assert_str_eq(again, text);
	free(text);
	free(again);
}

Test(trace, normalising_in_a_sandbox_keeps_the_ports_the_lesson_writes)
{
	struct run_info info;
	struct lab_event *events = NULL;
	size_t count = 0;
	const char *path = temp_file("sandbox.jsonl");
	sample_info(&info);
	struct lab_event *event =
		add_event(&events, &count, EVENT_RETURNED, 0, CALL_BIND, "bind(ls, *:8080)", 0);
	add_socket(event, 0, 3, "ls", AF_INET, SOCK_STREAM, 0, "0.0.0.0:8080", "*");
	event = add_event(&events, &count, EVENT_RETURNED, 1, CALL_CONNECT,
			  "connect(c, [::1]:65432)", 0);
	add_socket(event, 1, 3, "c", AF_INET6, SOCK_STREAM, 1, "[::1]:33333", "[::1]:65432");
	add_socket(event, 1, 4, "d", AF_INET6, SOCK_STREAM, 1, "[::ffff:127.0.0.1]:33334",
		   "[::ffff:127.0.0.1]:8080");
	write_trace(path, &info, events, count);
	free_events(events, count);

	char *text = normalise_to_text(path);
	cr_assert(strstr(text, "\"local\":\"0.0.0.0:8080\"") != NULL, "%s", text);
	cr_assert(strstr(text, "\"local\":\"[::1]:$1\",\"peer\":\"[::1]:65432\"") != NULL, "%s",
		  text);
	cr_assert(strstr(text,
			 "\"local\":\"[::ffff:127.0.0.1]:$2\",\"peer\":\"[::ffff:127.0.0.1]:8080\"")
			  != NULL,
		  "%s", text);
	cr_assert(strstr(text, "sandbox") == NULL, "%s", text);
	cr_assert(strstr(text, "port_map") == NULL, "%s", text);
	free(text);
}

Test(trace, normalises_the_echo_fixture_to_its_golden_trace)
{
	char *text = normalise_to_text(FIXTURE_DIR "/trace-echo.jsonl");
	char *golden = read_text_file(FIXTURE_DIR "/trace-echo-normalised.jsonl", NULL);
	cr_assert_str_eq(text, golden);
	free(text);
	free(golden);
}

/* ---- bad input ---------------------------------------------------------- */

#define GOOD_INFO \
	"{\"socklab_trace\":1,\"lesson\":\"01-echo\",\"title\":\"t\",\"sides\":[\"server\","       \
	"\"client\"],\"steps\":2}"
#define GOOD_SOCKET                                                                                \
	"{\"side\":\"server\",\"fd\":3,\"name\":\"ls\",\"family\":\"AF_INET\",\"type\":\"SOCK_"    \
	"STREAM\",\"state\":\"LISTEN\",\"local\":\"127.0.0.1:65432\",\"peer\":\"*\",\"rq\":0,"     \
	"\"wq\":5}"
#define GOOD_EVENT                                                                                 \
	"{\"seq\":1,\"step\":1,\"kind\":\"returned\",\"side\":\"client\",\"call\":\"connect\","    \
	"\"text\":\"connect(c, "                                                                   \
	"127.0.0.1:65432)\",\"ret\":0,\"errno\":null,\"bytes\":null,\"us\":3.5,\"sockets\":"       \
	"[" GOOD_SOCKET "]}"

enum place { IN_INFO, IN_EVENT, IN_SOCKET };

struct bad_case {
	enum place place;
	const char *key;
	const char *value;      /* JSON text; NULL removes the key */
	const char *message;    /* after "PATH:" */
};

static const struct bad_case bad_cases[] = {
	{ IN_INFO, "socklab_trace", NULL,
	  "1: not a socklab trace (line 1 has no \"socklab_trace\" version)" },
	{ IN_INFO, "socklab_trace", "2",
	  "1: not a socklab trace of this version (version 2, this socklab reads version 1)" },
	{ IN_INFO, "socklab_trace", "\"1\"", "1: not a socklab trace (" },
	{ IN_INFO, "lesson", NULL, "1: lesson: missing" },
	{ IN_INFO, "lesson", "\"0123456789012345678901234567890123456789012345678901234567890123\"",
	  "1: lesson: longer than 63 bytes" },
	{ IN_INFO, "title", "5", "1: title: expected a string, got a whole number" },
	{ IN_INFO, "sandbox", "[]", "1: sandbox: expected a string, got an array" },
	{ IN_INFO, "sides", "[]", "1: sides: 0 sides (1 to 8)" },
	{ IN_INFO, "sides", "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]",
	  "1: sides: 9 sides (1 to 8)" },
	{ IN_INFO, "sides", "[1]", "1: sides[0]: expected a string, got a whole number" },
	{ IN_INFO, "sides", "[\"server\",\"server\"]", "1: sides: two sides have the same name" },
	{ IN_INFO, "sides", "[\"server\",\"\"]", "1: sides: a side has an empty name" },
	{ IN_INFO, "sides", "[\"sixteen-chars-xx\"]", "1: sides[0]: longer than 15 bytes" },
	{ IN_INFO, "sides", "{}", "1: sides: expected an array, got an object" },
	{ IN_INFO, "steps", "-1", "1: steps: -1 is out of range" },
	{ IN_INFO, "steps", "null", "1: steps: expected a whole number, got null" },
	{ IN_INFO, "port_map", "[[1]]", "1: port_map[0]: expected [from, to]" },
	{ IN_INFO, "port_map", "[[1,70000]]", "1: port_map[0]: expected [from, to]" },
	{ IN_INFO, "port_map", "[1,2]", "1: port_map[0]: expected [from, to]" },
	{ IN_INFO, "port_map",
	  "[[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,2],[1,"
	  "2],[1,2],[1,2]]",
	  "1: port_map: more than 16 entries" },
	{ IN_EVENT, "seq", "\"x\"", "2: seq: expected a whole number, got a string" },
	{ IN_EVENT, "seq", "-1", "2: seq: -1 is out of range" },
	{ IN_EVENT, "seq", "1.5", "2: seq: expected a whole number, got a number with a fraction" },
	{ IN_EVENT, "step", NULL, "2: step: missing" },
	{ IN_EVENT, "kind", "\"exploded\"", "2: kind: unknown kind 'exploded'" },
	{ IN_EVENT, "kind", "false", "2: kind: expected a string, got false" },
	{ IN_EVENT, "side", "\"nobody\"", "2: side: 'nobody' is not one of the trace's sides" },
	{ IN_EVENT, "side", "1", "2: side: expected a side's name or null, got a whole number" },
	{ IN_EVENT, "call", "\"lisen\"", "2: call: unknown call 'lisen'" },
	{ IN_EVENT, "text", NULL, "2: text: missing" },
	{ IN_EVENT, "text", "{}", "2: text: expected a string or null, got an object" },
	{ IN_EVENT, "ret", "\"0\"", "2: ret: expected a whole number, got a string" },
	{ IN_EVENT, "ret", "9223372036854775808", "2: broken JSON: " },
	{ IN_EVENT, "errno", "\"ENOPE\"", "2: errno: unknown errno name 'ENOPE'" },
	{ IN_EVENT, "errno", "5000", "2: errno: 5000 is out of range (1 to 4095)" },
	{ IN_EVENT, "errno", "0", "2: errno: 0 is out of range (1 to 4095)" },
	{ IN_EVENT, "errno", "true", "2: errno: expected a name, a number or null, got true" },
	{ IN_EVENT, "bytes", "\"\\\\q\"", "2: bytes: bad escape at byte 0" },
	{ IN_EVENT, "bytes", "\"ab\\\\x4\"", "2: bytes: bad escape at byte 2" },
	{ IN_EVENT, "bytes", "\"ab\\\\xg0\"", "2: bytes: bad escape at byte 2" },
	{ IN_EVENT, "bytes", "\"ab\\\\\"", "2: bytes: bad escape at byte 2" },
	{ IN_EVENT, "bytes", "7", "2: bytes: expected a string or null, got a whole number" },
	{ IN_EVENT, "bytes", NULL, "2: bytes: missing" },
	{ IN_EVENT, "address",
	  "\"01234567890123456789012345678901234567890123456789012345678901234567890123456789012345"
	  "678901234567890123456789012345678901234567\"",
	  "2: address: longer than 127 bytes" },
	{ IN_EVENT, "value", "\"x\"", "2: value: expected a whole number, got a string" },
	{ IN_EVENT, "us", "-1", "2: us: -1 is out of range" },
	{ IN_EVENT, "us", "1e300", "2: us: 1e+300 is out of range" },
	{ IN_EVENT, "us", "\"fast\"", "2: us: expected a number, got a string" },
	{ IN_EVENT, "failures", "\"x\"", "2: failures: expected an array, got a string" },
	{ IN_EVENT, "failures", "[\"ok\",1]",
	  "2: failures[1]: expected a string, got a whole number" },
	{ IN_EVENT, "sockets", NULL, "2: sockets: missing" },
	{ IN_EVENT, "sockets", "{}", "2: sockets: expected an array, got an object" },
	{ IN_EVENT, "sockets", "[" GOOD_SOCKET ",1]",
	  "2: sockets[1]: expected an object, got a whole number" },
	{ IN_SOCKET, "state", "\"LISTENING\"", "2: sockets[0].state: unknown state 'LISTENING'" },
	{ IN_SOCKET, "state", "\"gone\"", "2: sockets[0].state: unknown state 'gone'" },
	{ IN_SOCKET, "state", "300", "2: sockets[0].state: 300 is out of range (0 to 255)" },
	{ IN_SOCKET, "state", "[]",
	  "2: sockets[0].state: expected a state's name or number, got an array" },
	{ IN_SOCKET, "name", "\"sixteen-chars-xx\"", "2: sockets[0].name: longer than 15 bytes" },
	{ IN_SOCKET, "local", NULL, "2: sockets[0].local: missing" },
	{ IN_SOCKET, "local", "\"0.0.0.0:0\"",
	  "2: sockets[0].local: not an address as the lab writes one: \"0.0.0.0:0\"" },
	{ IN_SOCKET, "peer",
	  "\"01234567890123456789012345678901234567890123456789012345678901234567890123456789012345"
	  "6789012345678901234567890123456789012345678\"",
	  "2: sockets[0].peer: longer than 127 bytes" },
	{ IN_SOCKET, "side", "\"nobody\"",
	  "2: sockets[0].side: 'nobody' is not one of the trace's sides" },
	{ IN_SOCKET, "fd", "-2", "2: sockets[0].fd: -2 is out of range (-1 to 2147483647)" },
	{ IN_SOCKET, "fd", "2147483648", "2: sockets[0].fd: 2147483648 is out of range" },
	{ IN_SOCKET, "family", "\"AF_BOGUS\"", "2: sockets[0].family: unknown name 'AF_BOGUS'" },
	{ IN_SOCKET, "family", "-1", "2: sockets[0].family: -1 is out of range" },
	{ IN_SOCKET, "type", "\"AF_INET\"", "2: sockets[0].type: unknown name 'AF_INET'" },
	{ IN_SOCKET, "type", "null", "2: sockets[0].type: expected a name or a number, got null" },
	{ IN_SOCKET, "rq", "-1", "2: sockets[0].rq: -1 is out of range" },
	{ IN_SOCKET, "wq", "4294967296",
	  "2: sockets[0].wq: 4294967296 is out of range (0 to 4294967295)" },
	{ IN_SOCKET, "inode", "\"1\"",
	  "2: sockets[0].inode: expected a whole number, got a string" },
	{ IN_SOCKET, "note", "\"asleep\"", "2: sockets[0].note: unknown note 'asleep'" },
	{ IN_SOCKET, "changes", "[\"new\",\"moved\"]",
	  "2: sockets[0].changes[1]: expected \"new\", \"state\"" },
	{ IN_SOCKET, "changes", "\"new\"",
	  "2: sockets[0].changes: expected an array, got a string" },
};

/* The good trace with one key of one line changed (or removed). */
static char *bad_trace(const struct bad_case *bad)
{
	json_error_t error;
	json_t *info = json_loads(GOOD_INFO, 0, &error);
	json_t *event = json_loads(GOOD_EVENT, 0, &error);
	cr_assert_not_null(info);
	cr_assert_not_null(event);
	json_t *socket = json_array_get(json_object_get(event, "sockets"), 0);
	json_t *target = bad->place == IN_INFO ? info : bad->place == IN_EVENT ? event : socket;
	char *text = NULL;
	if (bad->value) {
		/* Values jansson would refuse to hold (too big integers) go in as text. */
		json_t *value = json_loads(bad->value, JSON_DECODE_ANY, &error);
		if (!value) {
			json_object_set_new(target, bad->key, json_string("@@"));
			char *info_text = json_dumps(info, JSON_COMPACT | JSON_PRESERVE_ORDER);
			char *event_text = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);
			char *at = strstr(event_text, "\"@@\"");
			cr_assert_not_null(at);
			cr_assert_neq(asprintf(&text, "%s\n%.*s%s%s\n", info_text,
					       (int)(at - event_text), event_text, bad->value,
					       at + 4),
				      -1);
			free(info_text);
			free(event_text);
		} else {
			json_object_set_new(target, bad->key, value);
		}
	} else {
		json_object_del(target, bad->key);
	}
	if (!text) {
		char *info_text = json_dumps(info, JSON_COMPACT | JSON_PRESERVE_ORDER);
		char *event_text = json_dumps(event, JSON_COMPACT | JSON_PRESERVE_ORDER);
		cr_assert_neq(asprintf(&text, "%s\n%s\n", info_text, event_text), -1);
		free(info_text);
		free(event_text);
	}
	json_decref(info);
	json_decref(event);
	return text;
}

static void assert_refused(const char *path, const void *content, size_t len, const char *message)
{
	struct run_info info;
	struct lab_event *events = (struct lab_event *)1;
	size_t count = 99;
	char *err = NULL, *expected = NULL;
	write_file(path, content, len);
	cr_assert_eq(trace_read(path, &info, &events, &count, &err), -1, "accepted: %.*s", (int)len,
		     (const char *)content);
	cr_assert_null(events);
	cr_assert_eq(count, 0);
	cr_assert_not_null(err);
	cr_assert_neq(asprintf(&expected, "%s:%s", path, message), -1);
	cr_assert(strncmp(err, expected, strlen(expected)) == 0, "got \"%s\", expected \"%s...\"",
		  err, expected);
	free(expected);
	free(err);
}

Test(trace, the_good_trace_of_the_bad_cases_reads)
{
	const char *path = temp_file("good.jsonl");
	const char *text = GOOD_INFO "\n" GOOD_EVENT "\n";
	struct run_info info;
	struct lab_event *events;
	size_t count;
	char *err = NULL;
	write_file(path, text, strlen(text));
	cr_assert_eq(trace_read(path, &info, &events, &count, &err), 0, "%s", err);
	cr_assert_eq(count, 1);
	cr_assert_eq(events[0].elapsed_ns, 3500);
	free_events(events, count);
}

Test(trace, says_which_field_is_wrong_and_where)
{
	const char *path = temp_file("bad.jsonl");
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		char *text = bad_trace(&bad_cases[i]);
		assert_refused(path, text, strlen(text), bad_cases[i].message);
		free(text);
	}
}

static const struct {
	const char *content;
	const char *message;
} bad_files[] = {
	{ "", "1: not a socklab trace (the file is empty)" },
	{ "\n", "1: broken JSON: " },
	{ "{\"socklab_trace\":1,", "1: broken JSON: " },
	{ "[1,2]\n", "1: not a socklab trace (line 1 has no \"socklab_trace\" version)" },
	{ "\"socklab_trace\"\n", "1: broken JSON: " },
	{ "{\"socklab_trace\":1,\"socklab_trace\":1}", "1: broken JSON: duplicate object key" },
	{ GOOD_INFO "\n{\"seq\":", "2: broken JSON: " },
	{ GOOD_INFO "\n\n" GOOD_EVENT, "2: broken JSON: " },
	{ GOOD_INFO "\n[1]\n", "2: expected an event (an object), got an array" },
	{ GOOD_INFO "\n" GOOD_EVENT "\n" GOOD_EVENT "\n{}\n", "4: seq: missing" },
	{ GOOD_INFO "\n{\"text\":\"\xff\"}\n", "2: broken JSON: " },
	{ GOOD_INFO "\n{\"text\":\"a\\u0000b\"}\n", "2: broken JSON: " },
	{ GOOD_INFO "\n{\"seq\":1e999}\n", "2: broken JSON: " },
};

Test(trace, refuses_broken_files_with_their_line)
{
	const char *path = temp_file("broken.jsonl");
	for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++)
		assert_refused(path, bad_files[i].content, strlen(bad_files[i].content),
			       bad_files[i].message);
	/* A NUL byte in the middle of a line. */
	const char with_nul[] = GOOD_INFO "\n{\"seq\":1\0}\n";
	assert_refused(path, with_nul, sizeof with_nul - 1, "2: broken JSON: ");
}

Test(trace, refuses_deep_nesting_without_running_out_of_stack)
{
	const char *path = temp_file("deep.jsonl");
	size_t depth = 200000;
	size_t prefix = strlen(GOOD_INFO "\n");
	char *text = malloc(prefix + 2 * depth + 2);
	cr_assert_not_null(text);
	memcpy(text, GOOD_INFO "\n", prefix);
	memset(text + prefix, '[', depth);
	memset(text + prefix + depth, ']', depth);
	text[prefix + 2 * depth] = '\n';
	assert_refused(path, text, prefix + 2 * depth + 1, "2: broken JSON: ");
	free(text);
}

Test(trace, refuses_files_it_cannot_read)
{
	struct run_info info;
	struct lab_event *events;
	size_t count;
	char *err = NULL;
	cr_assert_eq(trace_read("/nonexistent/trace.jsonl", &info, &events, &count, &err), -1);
	cr_assert_str_eq(err, "/nonexistent/trace.jsonl: cannot open: No such file or directory");
	free(err);
	cr_assert_eq(trace_read(temp_dir, &info, &events, &count, &err), -1);
	cr_assert(strstr(err, ": cannot read: Is a directory") != NULL, "%s", err);
	free(err);
	cr_assert_eq(trace_normalise("/nonexistent/trace.jsonl", stdout, &err), -1);
	cr_assert(strncmp(err, "/nonexistent/trace.jsonl: cannot open", 36) == 0, "%s", err);
	free(err);
}

Test(trace, refuses_a_trace_over_64_mib)
{
	struct run_info info;
	struct lab_event *events;
	size_t count;
	char *err = NULL;
	const char *path = temp_file("huge.jsonl");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	/* sparse: costs no disk */
	cr_assert_eq(ftruncate(fd, (off_t)TRACE_MAX_FILE_SIZE + 1), 0);
	close(fd);
	cr_assert_eq(trace_read(path, &info, &events, &count, &err), -1);
	char *expected = NULL;
	cr_assert_neq(asprintf(&expected, "%s: over 64 MiB: too big for a trace, refused", path),
		      -1);
	cr_assert_str_eq(err, expected);
	free(err);
	free(expected);

	/* Through a pipe the size is only known by reading: the same limit. */
	int pipe_fds[2];
	cr_assert_eq(pipe(pipe_fds), 0);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		static char block[1 << 16];
		close(pipe_fds[0]);
		for (size_t sent = 0; sent <= TRACE_MAX_FILE_SIZE; sent += sizeof block)
			if (write(pipe_fds[1], block, sizeof block) < 0)
				_exit(0);
		_exit(0);
	}
	close(pipe_fds[1]);
	cr_assert_eq(dup2(pipe_fds[0], STDIN_FILENO), STDIN_FILENO);
	close(pipe_fds[0]);
	cr_assert_eq(trace_read("-", &info, &events, &count, &err), -1);
	cr_assert_str_eq(err, "-: over 64 MiB: too big for a trace, refused");
	free(err);
	close(STDIN_FILENO);
}

/* ---- never crashes ------------------------------------------------------ */

/* Reads the file as a trace: it must read, or refuse with a message that
 * names the file. */
static void read_anything(const char *path, size_t *accepted)
{
	struct run_info info;
	struct lab_event *events;
	size_t count;
	char *err = NULL;
	if (trace_read(path, &info, &events, &count, &err) == 0) {
		free_events(events, count);
		++*accepted;
		return;
	}
	cr_assert_not_null(err);
	cr_assert(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':', "%s", err);
	free(err);
}

Test(trace, reads_or_refuses_every_truncation_of_a_trace)
{
	struct run_info info;
	struct lab_event *events;
	size_t count, len, accepted = 0;
	const char *full = temp_file("full.jsonl"), *cut = temp_file("cut.jsonl");
	sample_info(&info);
	sample_events(&events, &count);
	write_trace(full, &info, events, count);
	free_events(events, count);
	char *text = read_text_file(full, &len);
	for (size_t i = 0; i <= len; i++) {
		write_file(cut, text, i);
		read_anything(cut, &accepted);
	}
	/* Cut at each line's end, with or without its newline, it reads. */
	cr_assert_eq(accepted, 2 * (count + 1), "%zu", accepted);
	free(text);
}

Test(trace, reads_or_refuses_every_one_byte_change_of_a_trace)
{
	static const char replacements[] = { '\0', '"', '\\', '{', '[',   '9',
					     '-',  ',', '\n', 'x', '\xff' };
	struct run_info info;
	struct lab_event *events;
	size_t count, len, accepted = 0;
	const char *full = temp_file("full.jsonl"), *changed = temp_file("changed.jsonl");
	sample_info(&info);
	sample_events(&events, &count);
	write_trace(full, &info, events, count);
	free_events(events, count);
	char *text = read_text_file(full, &len);
	/* The first four lines hold every kind of value; the whole trace would
	 * take ten times as long (positions times the length of each read). */
	for (int newlines = 0, i = 0; (size_t)i < len; i++)
		if (text[i] == '\n' && ++newlines == 4)
			len = (size_t)i + 1;
	write_file(changed, text, len);
	int fd = open(changed, O_WRONLY);
	cr_assert_geq(fd, 0);
	for (size_t i = 0; i < len; i++) {
		for (size_t r = 0; r < sizeof replacements; r++) {
			cr_assert_eq(pwrite(fd, &replacements[r], 1, (off_t)i), 1);
			read_anything(changed, &accepted);
		}
		cr_assert_eq(pwrite(fd, &text[i], 1, (off_t)i), 1);
	}
	close(fd);
	cr_assert_gt(accepted, 0, "some changes (a digit for a digit) still read");
	free(text);
}

Test(trace, reads_back_what_the_kernels_timers_did)
{
	struct run_info info, read_info;
	struct lab_event *events = NULL, *read_events;
	size_t count = 0, read_count;
	char *err = NULL;
	const char *path = temp_file("timers.jsonl");
	sample_info(&info);
	struct lab_event *event =
		add_event(&events, &count, EVENT_RETURNED, 1, CALL_RELEASE, "release()", 0);
	snprintf(event->resent, sizeof event->resent,
		 "the kernel resent the SYN from client (retransmission timer, 1 s after the one "
		 "before): the one before was dropped, this copy is held");
	event = add_event(&events, &count, EVENT_RETURNED, 0, CALL_CLOSE, "close(ls)", 0);
	event->timers_ended = calloc(2, sizeof *event->timers_ended);
	cr_assert_not_null(event->timers_ended);
	event->timers_ended[0] =
		strdup("server a1 TIME-WAIT: TIME-WAIT ended: 74 s passed since step 9, longer "
		       "than its 60 s timer; the kernel freed the port");
	event->timers_ended[1] = strdup("client c3 TIME-WAIT: \"quoted\"");
	event->timer_ended_count = 2;
	write_trace(path, &info, events, count);
	cr_assert_eq(trace_read(path, &read_info, &read_events, &read_count, &err), 0, "%s", err);
	cr_assert_eq(read_count, 2);
	cr_assert_str_eq(read_events[0].resent, events[0].resent);
	cr_assert_eq(read_events[0].timer_ended_count, 0);
	cr_assert_str_eq(read_events[1].resent, "");
	cr_assert_eq(read_events[1].timer_ended_count, 2);
	for (size_t i = 0; i < 2; i++)
		cr_assert_str_eq(read_events[1].timers_ended[i], events[1].timers_ended[i]);
	free_events(events, count);
	free_events(read_events, read_count);
}

/* ---- values the trace holds as text ------------------------------------- */

static struct wire_packet *add_packet(struct lab_event *event, int protocol, uint8_t flags)
{
	size_t count = event->packet_count + 1;
	struct wire_packet *grown = realloc(event->packets, count * sizeof *grown);
	cr_assert_not_null(grown);
	event->packets = grown;
	struct wire_packet *packet = &grown[event->packet_count++];
	*packet = (struct wire_packet){
		.from_side = 1, .to_side = 0, .protocol = protocol, .flags = flags
	};
	cr_assert_eq(lab_address_parse("127.0.0.1:51000", &packet->from), 0);
	cr_assert_eq(lab_address_parse("127.0.0.1:65432", &packet->to), 0);
	return packet;
}

/* The flag bits are written by name and read back as the same bits. */
Test(trace, writes_packet_flags_by_name_and_reads_back_the_bits)
{
	struct run_info info, read_info;
	struct lab_event *events = NULL, *read_events;
	size_t count = 0, read_count;
	char *err = NULL;
	const char *path = temp_file("flags.jsonl");
	sample_info(&info);
	struct lab_event *event =
		add_event(&events, &count, EVENT_RETURNED, 1, CALL_CONNECT, "connect(c)", 0);
	const uint8_t sent[] = {
		PACKET_FLAG_SYN, PACKET_FLAG_SYN | PACKET_FLAG_ACK, 0,
		PACKET_FLAG_FIN | PACKET_FLAG_PSH | PACKET_FLAG_ACK, PACKET_FLAG_RST,
	};
	for (size_t i = 0; i < sizeof sent; i++)
		add_packet(event, IPPROTO_TCP, sent[i]);
	add_packet(event, IPPROTO_UDP, 0);
	write_trace(path, &info, events, count);

	char *text = read_text_file(path, NULL);
	char *line = line_of(text, 2);
	const char *names[] = { "SYN", "SYN-ACK", "none", "FIN-PSH-ACK", "RST" };
	const char *at = line;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char key[64];
		snprintf(key, sizeof key, "\"proto\":\"TCP\",\"flags\":\"%s\",", names[i]);
		at = strstr(at, key);
		cr_assert_not_null(at, "%s after packet %zu: %s", key, i, line);
	}
	cr_assert_not_null(strstr(at, "\"proto\":\"UDP\",\"flags\":\"\","), "%s", line);
	free(line);
	free(text);

	cr_assert_eq(trace_read(path, &read_info, &read_events, &read_count, &err), 0, "%s", err);
	cr_assert_eq(read_events[0].packet_count, sizeof sent + 1);
	for (size_t i = 0; i < sizeof sent; i++) {
		cr_assert_eq(read_events[0].packets[i].protocol, IPPROTO_TCP);
		cr_assert_eq(read_events[0].packets[i].flags, sent[i], "packet %zu", i);
	}
	cr_assert_eq(read_events[0].packets[sizeof sent].protocol, IPPROTO_UDP);
	cr_assert_eq(read_events[0].packets[sizeof sent].flags, 0);
	free_events(events, count);
	free_events(read_events, read_count);
}

#define FLAGS_EVENT(proto, flags)                                                          \
	"{\"seq\":1,\"step\":1,\"kind\":\"returned\",\"side\":\"client\",\"call\":\"connect\","  \
	"\"text\":\"connect(c)\",\"ret\":0,\"errno\":null,\"bytes\":null,"                    \
	"\"packets\":[{\"from\":\"client\",\"to\":\"server\",\"src\":\"127.0.0.1:51000\","     \
	"\"dst\":\"127.0.0.1:65432\",\"proto\":\"" proto "\",\"flags\":\"" flags "\","          \
	"\"seq\":0,\"ack\":0,\"len\":0,\"payload\":\"\"}],\"sockets\":[]}"

/* A name the writer never writes (another order, a repeat, a UDP flag)
 * would read as bits that name themselves differently: refused. */
Test(trace, refuses_packet_flags_it_would_not_write)
{
	const char *path = temp_file("bad-flags.jsonl");
	const char *wrong[] = {
		GOOD_INFO "\n" FLAGS_EVENT("TCP", "ACK-SYN") "\n",
		GOOD_INFO "\n" FLAGS_EVENT("TCP", "SYN-SYN") "\n",
		GOOD_INFO "\n" FLAGS_EVENT("TCP", "") "\n",
		GOOD_INFO "\n" FLAGS_EVENT("UDP", "SYN") "\n",
	};
	const char *messages[] = {
		"2: flags: \"ACK-SYN\" names no TCP flags",
		"2: flags: \"SYN-SYN\" names no TCP flags",
		"2: flags: \"\" names no TCP flags",
		"2: flags: \"SYN\" names no UDP flags",
	};
	for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
		assert_refused(path, wrong[i], strlen(wrong[i]), messages[i]);
	const char *good = GOOD_INFO "\n" FLAGS_EVENT("TCP", "PSH-ACK") "\n";
	struct run_info info;
	struct lab_event *events;
	size_t count;
	char *err = NULL;
	write_file(path, good, strlen(good));
	cr_assert_eq(trace_read(path, &info, &events, &count, &err), 0, "%s", err);
	cr_assert_eq(events[0].packets[0].flags, PACKET_FLAG_PSH | PACKET_FLAG_ACK);
	free_events(events, count);
}

/* The ready fds are written as the transcript says them and read back as
 * the same names and events; a long list is written whole. */
Test(trace, writes_ready_fds_as_text_and_reads_back_the_values)
{
	struct run_info info, read_info;
	struct lab_event *events = NULL, *read_events;
	size_t count = 0, read_count;
	char *err = NULL;
	const char *path = temp_file("ready.jsonl");
	sample_info(&info);
	struct lab_event *event =
		add_event(&events, &count, EVENT_RETURNED, 0, CALL_POLL, "poll(0, ls, conn)", 3);
	const struct ready_fd sent[] = {
		{ .fd = 3, .events = POLLIN, .name = "ls" },
		{ .fd = 4, .events = POLLIN | POLLRDHUP, .name = "conn" },
		{ .fd = 7, .events = POLLOUT },
	};
	event->ready = malloc(sizeof sent);
	cr_assert_not_null(event->ready);
	memcpy(event->ready, sent, sizeof sent);
	event->ready_count = 3;
	event = add_event(&events, &count, EVENT_RETURNED, 0, CALL_EPOLL_WAIT, "epoll_wait(e)", 40);
	event->ready = calloc(40, sizeof *event->ready);
	cr_assert_not_null(event->ready);
	for (int i = 0; i < 40; i++) {
		event->ready[i].fd = 10 + i;
		event->ready[i].events = POLLIN | POLLHUP;
		snprintf(event->ready[i].name, sizeof event->ready[i].name, "connection%d", i);
	}
	event->ready_count = 40;
	write_trace(path, &info, events, count);

	char *text = read_text_file(path, NULL);
	char *line = line_of(text, 2);
	const char *written = ",\"ready\":\"ls POLLIN, conn POLLIN|POLLRDHUP, fd 7 POLLOUT\",";
	cr_assert_not_null(strstr(line, written), "%s", line);
	free(line);
	line = line_of(text, 3);
	cr_assert_not_null(strstr(line, "connection0 POLLIN|POLLHUP, connection1 POLLIN|POLLHUP,"),
			   "%s", line);
	cr_assert_not_null(strstr(line, ", connection39 POLLIN|POLLHUP\","), "%s", line);
	free(line);
	free(text);

	cr_assert_eq(trace_read(path, &read_info, &read_events, &read_count, &err), 0, "%s", err);
	cr_assert_eq(read_events[0].ready_count, 3);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_str_eq(read_events[0].ready[i].name, sent[i].name);
		cr_assert_eq(read_events[0].ready[i].events, sent[i].events, "entry %zu", i);
	}
	cr_assert_eq(read_events[0].ready[2].fd, 7, "a number the text gives is read back");
	cr_assert_eq(read_events[1].ready_count, 40);
	cr_assert_str_eq(read_events[1].ready[39].name, "connection39");
	free_events(events, count);
	free_events(read_events, read_count);
}

#define READY_EVENT(ready)                                                                \
	"{\"seq\":1,\"step\":1,\"kind\":\"returned\",\"side\":\"server\",\"call\":\"poll\","  \
	"\"text\":\"poll(0, ls)\",\"ret\":1,\"errno\":null,\"bytes\":null,"                   \
	"\"ready\":" ready ",\"sockets\":[]}"

Test(trace, refuses_ready_fds_it_would_not_write)
{
	const char *path = temp_file("bad-ready.jsonl");
	const struct {
		const char *trace, *message;
	} wrong[] = {
		{ GOOD_INFO "\n" READY_EVENT("\"ls POLLOUT|POLLIN\"") "\n",
		  "2: ready: \"ls POLLOUT|POLLIN\" is not a list of ready fds" },
		{ GOOD_INFO "\n" READY_EVENT("\"ls EPOLLIN\"") "\n",
		  "2: ready: \"ls EPOLLIN\" is not a list of ready fds" },
		{ GOOD_INFO "\n" READY_EVENT("\"ls POLLIN,c POLLIN\"") "\n",
		  "2: ready: \"ls POLLIN,c POLLIN\" is not a list of ready fds" },
		{ GOOD_INFO "\n" READY_EVENT("[\"ls\"]") "\n",
		  "2: ready: expected a string, got an array" },
	};
	for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
		assert_refused(path, wrong[i].trace, strlen(wrong[i].trace), wrong[i].message);
}
