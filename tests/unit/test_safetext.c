// SPDX-License-Identifier: GPL-2.0
/*
 * safe_text(): what a guest wrote, made safe for the user's terminal.
 */
#include <string.h>

#include "safetext.h"
#include "tap.h"

int main(void)
{
	char big[20000];

	is_str(safe_text("plain text"), "plain text", "plain text stays");
	is_str(safe_text("a\x1b[2Jb"), "a\\x1b[2Jb", "ESC is escaped");
	is_str(safe_text("t\x07\x7f\n"), "t\\x07\\x7f\\x0a", "BEL, DEL, newline");
	is_str(safe_text("back\\slash"), "back\\\\slash", "a backslash doubles");
	is_str(safe_text("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac",
	       "valid UTF-8 stays (é, €)");
	is_str(safe_text("\xc2\x9b" "2J"), "\\xc2\\x9b2J",
	       "C1 CSI (U+009B) as UTF-8 is escaped");
	is_str(safe_text("\x9b" "2J"), "\\x9b2J", "a lone 0x9B (8-bit CSI) is escaped");
	is_str(safe_text("\xe0\x80\xaf"), "\\xe0\\x80\\xaf", "an overlong sequence is escaped");
	memset(big, 0x1b, sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(strlen(safe_text(big)) < 8192 &&
	   !strcmp(safe_text(big) + strlen(safe_text(big)) - 3, "..."),
	   "20000 escapes: cut short within the buffer, with ...");
	ok(!strcmp(safe_text(NULL), ""), "NULL is empty");
	return tap_done();
}
