/* libFuzzer: the packet decoder on any bytes, as any link type. */
#include <stddef.h>
#include <stdint.h>

#include "capture.h"

/* The first byte picks the link type; the rest is the frame. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int linktypes[] = { 1 /* EN10MB */,       0 /* NULL */,  113 /* LINUX_SLL */,
					 276 /* LINUX_SLL2 */, 101 /* RAW */, 12 /* RAW, BSD */ };
	static struct capture_flows *flows;
	if (!flows)
		flows = capture_flows_new();
	if (size < 1 || !flows)
		return 0;
	struct lab_packet packet;
	int linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
	capture_decode(data + 1, size - 1, linktype, flows, &packet);
	return 0;
}
