/* Tests of diagram (lab/diagram.c), the sequence diagram's model, of svg
 * (lab/svg.c), its writer, and of export (lab/export.c): built from lesson
 * 01's golden trace, so no kernel is needed; the writer's escaping of
 * hostile text; the golden picture traces/01-echo.svg.
 */
#include <criterion/criterion.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diagram.h"
#include "export.h"
#include "svg.h"
#include "trace.h"

struct loaded {
	struct run_info info;
	struct lab_event *events;
	size_t count;
	struct diagram diagram;
};

static void load(struct loaded *loaded, const char *trace)
{
	char *err = NULL;
	char path[512];
	snprintf(path, sizeof path, "%s/traces/%s", SOURCE_DIR, trace);
	cr_assert_eq(trace_read(path, &loaded->info, &loaded->events, &loaded->count, &err), 0,
		     "%s", err);
	cr_assert_eq(diagram_build(&loaded->diagram, &loaded->info, loaded->events, loaded->count),
		     0);
}

static void unload(struct loaded *loaded)
{
	diagram_done(&loaded->diagram);
	for (size_t i = 0; i < loaded->count; i++)
		lab_event_done(&loaded->events[i]);
	free(loaded->events);
}

/* The first row of `kind` in `step` whose text contains `text`, or NULL. */
static const struct diagram_row *find_row(const struct diagram *diagram, enum diagram_row_kind kind,
					  size_t step, const char *text)
{
	for (size_t i = 0; i < diagram->count; i++) {
		const struct diagram_row *row = &diagram->rows[i];
		if (row->kind != kind || row->step != step)
			continue;
		if (kind == DIAGRAM_CALL && strstr(row->call, text))
			return row;
		if (kind == DIAGRAM_PACKET && strcmp(row->label, text) == 0)
			return row;
		for (size_t k = 0; kind == DIAGRAM_STATES && k < row->note_count; k++)
			if (strcmp(row->notes[k].text, text) == 0)
				return row;
	}
	return NULL;
}

Test(diagram, has_a_lifeline_per_side_in_side_order)
{
	struct loaded loaded;
	load(&loaded, "01-echo.trace");
	cr_assert_eq(loaded.diagram.lifeline_count, 2);
	cr_assert_str_eq(loaded.diagram.lifelines[0].name, "server");
	cr_assert_str_eq(loaded.diagram.lifelines[1].name, "client");
	cr_assert_eq(loaded.diagram.step_count, 14);
	unload(&loaded);
}

Test(diagram, puts_each_call_on_its_side_with_its_result)
{
	struct loaded loaded;
	load(&loaded, "01-echo.trace");
	const struct diagram_row *socket_row =
		find_row(&loaded.diagram, DIAGRAM_CALL, 1, "ls = socket");
	cr_assert_not_null(socket_row);
	cr_assert_eq(socket_row->lane, 0);
	cr_assert_str_eq(socket_row->result, "= 3");
	cr_assert(socket_row->step_start);
	const struct diagram_row *recv_row =
		find_row(&loaded.diagram, DIAGRAM_CALL, 10, "recv(c, 1024)");
	cr_assert_not_null(recv_row);
	cr_assert_eq(recv_row->lane, 1);
	cr_assert_str_eq(recv_row->result, "= 12 \"Hello, world\"");
	const struct diagram_row *closed =
		find_row(&loaded.diagram, DIAGRAM_CALL, 12, "recv(conn, 1024)");
	cr_assert_str_eq(closed->result, "= 0, peer closed");
	unload(&loaded);
}

Test(diagram, runs_a_blocked_calls_bar_to_where_it_woke)
{
	struct loaded loaded;
	load(&loaded, "01-echo.trace");
	const struct diagram_row *blocked =
		find_row(&loaded.diagram, DIAGRAM_CALL, 4, "conn = accept(ls)");
	cr_assert_not_null(blocked);
	cr_assert_str_eq(blocked->result, "blocks");
	cr_assert_lt(blocked->wake_row, loaded.diagram.count);
	const struct diagram_row *woke = &loaded.diagram.rows[blocked->wake_row];
	cr_assert_eq(woke->kind, DIAGRAM_CALL);
	cr_assert_eq(woke->step, 6);
	cr_assert_eq(woke->event->kind, EVENT_WOKE);
	cr_assert_str_eq(woke->result, "woke: = 4, peer 127.0.0.1:$1");
	unload(&loaded);
}

Test(diagram, draws_packets_between_lifelines_with_relative_numbers)
{
	struct loaded loaded;
	load(&loaded, "01-echo.trace");
	const struct diagram_row *syn = find_row(&loaded.diagram, DIAGRAM_PACKET, 6, "SYN seq 0");
	cr_assert_not_null(syn);
	cr_assert_eq(syn->from_lane, 1);
	cr_assert_eq(syn->to_lane, 0);
	const struct diagram_row *syn_ack =
		find_row(&loaded.diagram, DIAGRAM_PACKET, 6, "SYN-ACK seq 0 ack 1");
	cr_assert_not_null(syn_ack);
	cr_assert_eq(syn_ack->from_lane, 0);
	cr_assert_gt(syn_ack, syn, "the SYN-ACK follows the SYN");
	cr_assert_not_null(
		find_row(&loaded.diagram, DIAGRAM_PACKET, 7, "PSH-ACK seq 1 ack 1 len 12"));
	unload(&loaded);
}

Test(diagram, writes_states_where_they_changed)
{
	struct loaded loaded;
	load(&loaded, "01-echo.trace");
	const struct diagram *diagram = &loaded.diagram;
	cr_assert_not_null(find_row(diagram, DIAGRAM_STATES, 3, "ls LISTEN, accept queue 0 of 5"));
	cr_assert_not_null(find_row(diagram, DIAGRAM_STATES, 6, "ls LISTEN, accept queue 1 of 5"));
	cr_assert_not_null(find_row(diagram, DIAGRAM_STATES, 6, "(accept queue) ESTABLISHED"));
	cr_assert_not_null(find_row(diagram, DIAGRAM_STATES, 6, "c ESTABLISHED"));
	cr_assert_not_null(find_row(diagram, DIAGRAM_STATES, 11, "c FIN-WAIT-2, fd closed"));
	cr_assert_not_null(find_row(diagram, DIAGRAM_STATES, 13, "c TIME-WAIT"));
	const struct diagram_row *gone = find_row(diagram, DIAGRAM_STATES, 13, "conn gone");
	cr_assert_not_null(gone);
	/* Steps that changed no state (a recv that only drained a queue) have no states row. */
	cr_assert_null(find_row(diagram, DIAGRAM_STATES, 8, "conn ESTABLISHED"));
	unload(&loaded);
}

Test(diagram, gives_forked_processes_lifelines_of_their_own)
{
	struct loaded loaded;
	load(&loaded, "17-fork.trace");
	cr_assert_geq(loaded.diagram.lifeline_count, 3);
	cr_assert_str_eq(loaded.diagram.lifelines[0].name, "server");
	cr_assert_str_eq(loaded.diagram.lifelines[1].name, "worker");
	unload(&loaded);
}

Test(diagram_text, names_errors_and_labels_udp)
{
	struct lab_event refused = {
		.kind = EVENT_RETURNED, .call = CALL_CONNECT, .ret = -1, .error = 111
	};
	char out[DIAGRAM_TEXT_MAX];
	diagram_result_text(&refused, out, sizeof out);
	cr_assert_str_eq(out, "-1 ECONNREFUSED");
	struct wire_packet datagram = { .protocol = IPPROTO_UDP, .length = 3 };
	diagram_packet_label(&datagram, out, sizeof out);
	cr_assert_str_eq(out, "UDP len 3");
}

/* ---- the writer --------------------------------------------------------- */

static char *write_svg(const struct diagram *diagram, bool html)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	cr_assert_not_null(out);
	char *err = NULL;
	struct svg_texts texts = { .subtitle = "from a test" };
	int result = html ? svg_write_html(out, diagram, &texts, &err)
			  : svg_write(out, diagram, &texts, &err);
	cr_assert_eq(result, 0, "%s", err);
	fclose(out);
	return text;
}

Test(svg, is_the_same_bytes_every_time)
{
	struct loaded loaded;
	load(&loaded, "01-echo.trace");
	char *first = write_svg(&loaded.diagram, false),
	     *second = write_svg(&loaded.diagram, false);
	cr_assert_str_eq(first, second);
	cr_assert(strstr(first, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	cr_assert_null(strstr(first, "<script"));
	cr_assert_null(strstr(first, "href"));
	free(first);
	free(second);
	unload(&loaded);
}

Test(svg, escapes_markup_and_replaces_bytes_xml_cannot_carry)
{
	struct lab_event event = { .seq = 1, .step = 1, .kind = EVENT_RETURNED, .side = 0,
				   .call = CALL_SOCKET, .text = "a<b>&\"c\" \x01\xff caf\xc3\xa9",
				   .ret = 3 };
	struct run_info info = {
		.lesson = "x&y", .title = "<title>", .side_count = 1, .sides = { "s<1>" }
	};
	struct diagram diagram;
	cr_assert_eq(diagram_build(&diagram, &info, &event, 1), 0);
	for (int html = 0; html < 2; html++) {
		char *text = write_svg(&diagram, html);
		cr_assert(strstr(text, "a&lt;b&gt;&amp;&quot;c&quot; ?? caf\xc3\xa9"), "%s", text);
		cr_assert(strstr(text, "x&amp;y: &lt;title&gt;"));
		cr_assert(strstr(text, "s&lt;1&gt;"));
		cr_assert_null(strchr(text, '\x01'));
		cr_assert_null(strchr(text, '\xff'));
		free(text);
	}
	diagram_done(&diagram);
}

/* ---- the golden picture --------------------------------------------------- */

static char *read_all(const char *path)
{
	FILE *file = fopen(path, "r");
	cr_assert_not_null(file, "%s", path);
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	char buffer[4096];
	size_t got;
	while ((got = fread(buffer, 1, sizeof buffer, file)) > 0)
		fwrite(buffer, 1, got, out);
	fclose(file);
	fclose(out);
	return text;
}

Test(export, draws_lesson_01s_golden_trace_as_its_golden_picture)
{
	struct loaded loaded;
	load(&loaded, "01-echo.trace");
	char path[] = "/tmp/socklab-export-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	char *err = NULL;
	cr_assert_eq(export_write(path, EXPORT_SVG, &loaded.info, loaded.events, loaded.count, NULL,
				  &err),
		     0, "%s", err);
	char *made = read_all(path), *golden = read_all(SOURCE_DIR "/traces/01-echo.svg");
	cr_assert_str_eq(made, golden,
			 "traces/01-echo.svg is not what lesson 01's golden trace draws "
			 "(tests/record_goldens.sh makes it)");
	unlink(path);
	free(made);
	free(golden);
	unload(&loaded);
}

Test(export, names_html_by_the_file_name)
{
	cr_assert_eq(export_format_for("handout.html"), EXPORT_HTML);
	cr_assert_eq(export_format_for("handout.htm"), EXPORT_HTML);
	cr_assert_eq(export_format_for("slide.svg"), EXPORT_SVG);
	cr_assert_eq(export_format_for("-"), EXPORT_SVG);
}
