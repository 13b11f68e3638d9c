/* frametime.h — for tests only: the clock time of the frame on screen, so
 * that a test can replay its journal at that very millisecond and compare
 * the two screens cell for cell (tests/tui/test_replay.sh).
 *
 * CUTOVER_FRAME_FILE=PATH makes the live console write, in PATH, "0 0 0" as
 * it starts drawing a frame and "MS COLS ROWS" once the frame is out to the
 * terminal: its clock_now_ms() and the size it was drawn for (last frame
 * wins; one small pwrite each). A reader that sees the same non-zero time
 * before and after capturing the terminal captured that frame (the size
 * says whether it was drawn after a resize). Unset, nothing is written. */
#ifndef CUTOVER_FRAMETIME_H
#define CUTOVER_FRAMETIME_H

#include <stdint.h>

#define FRAME_FILE_ENV "CUTOVER_FRAME_FILE"

/* A frame starts (all 0) or has been drawn (its time, ms since the epoch,
 * and the screen's size then). */
void frametime_note(int64_t now_ms, int cols, int rows);

#endif
