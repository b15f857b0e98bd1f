/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text a guest wrote (guest properties, the OS it reported), made safe
 * for a terminal: control characters (C0, DEL, C1 as UTF-8 encodes
 * them), bytes that are no valid UTF-8 (a lone 0x9B is CSI to an 8-bit
 * terminal) and backslashes become \xNN and \\, so that no escape
 * sequence of a guest's reaches the user's terminal.
 */
#ifndef VIREO_SAFETEXT_H
#define VIREO_SAFETEXT_H

/*
 * The escaped form of s, in one of four static buffers (so a printf may
 * take four at once); cut short, with "...", past 8 KiB.
 */
const char *safe_text(const char *s);

#endif /* VIREO_SAFETEXT_H */
