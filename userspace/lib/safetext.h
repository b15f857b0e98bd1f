/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text a guest wrote (guest properties, the OS it reported), made safe
 * for a terminal: control characters (C0, DEL, and C1 as UTF-8 encodes
 * them) and backslashes become \xNN, \\, so that no escape sequence of a
 * guest's reaches the user's terminal.
 */
#ifndef VIREO_SAFETEXT_H
#define VIREO_SAFETEXT_H

/*
 * The escaped form of s, in one of four static buffers (so a printf may
 * take four at once); cut short, with "...", past 8 KiB.
 */
const char *safe_text(const char *s);

#endif /* VIREO_SAFETEXT_H */
