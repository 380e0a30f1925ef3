#ifndef RSLA_ING_FRAMES_H
#define RSLA_ING_FRAMES_H
/* Parallel decoding of one zstd file: its independent frames (pzstd output, the seekable format,
 * files written with a frame per few MiB, such files concatenated) are split into segments that
 * different threads decode at the same time. A frame of more than ING_WALK_FRAME_BLOCKS blocks
 * (32 MiB of text) ends the split: it and what follows it are decoded in order, as one stream.
 *
 * Frames end anywhere in the text, so a line may straddle two segments. Ownership is by the
 * newline before a line: a segment owns the lines that start right after a '\n' decoded from its
 * own frames (segment 0 also owns the first line of the file). So a segment other than the first
 * skips its text up to and including its first '\n', and every segment reads past its last frame,
 * into the next ones, just far enough to finish the line it started:
 *
 *     frames     | seg 0 ........ | seg 1 ........ | seg 2 ........ |
 *     text       L1 L2 L3 L4 [L5 ·| ·L5] L6 L7 [L8 | ·L8] L9 ...
 *                seg 0 reads L5 to its '\n' in seg 1; seg 1 skips "·L5]" ...
 *
 * A '\n' that is the last byte of a segment's frames still gives it the next line, which it reads
 * whole from the following frames, and which the next segment skips as its head.
 * Every line is read exactly once, whatever the frame sizes, even when a line spans whole
 * segments (those then own no line at all). */
#include <stdbool.h> /* bool */
#include <stddef.h>  /* size_t */
#include <stdint.h>  /* uint64_t */

/* Minimum compressed bytes per segment: below this, the per-segment cost (a frame header
 * walk, one line decoded twice) is not worth a thread. */
#ifndef ING_SEGMENT_MIN_BYTES
#define ING_SEGMENT_MIN_BYTES (8u << 20)
#endif

/* Most blocks of one frame that are walked. A frame with more is not walked to its end: the file
 * from that frame on is read as one stream, in the last segment. Frames written to be decoded in
 * parallel (pzstd, the seekable format) are a few MiB of text, a few dozen blocks; a file written
 * as one frame (the zstd CLI, logrotate) would otherwise have every 3-byte block header read
 * before any decoding, all files before the first: ~12 k small reads per GB, which took 4.3 s on
 * an uncached 0.93 GB file whose whole decoding takes 6 s. A block holds at most 128 KiB of
 * text, so a frame whose header gives a content size over ING_WALK_FRAME_BLOCKS x 128 KiB is
 * known to be too long after two block headers, read to check that a frame starts there. pzstd's
 * frames (253-259 blocks at level 19) are not walked: pzstd writes each one's compressed size in
 * a skippable frame before it, taken where the frames it separates look well formed. */
#ifndef ING_WALK_FRAME_BLOCKS
#define ING_WALK_FRAME_BLOCKS 256
#endif

/* ing_zstd_segments() :
 * Walks the frame headers of a regular zstd file (no decoding) and groups whole frames into
 * segments of at least min_bytes. *starts gets n + 1 compressed offsets: segment i is
 * [starts[i], starts[i+1]). @return n, or 0 when the file should be read as one stream (not a
 * regular file, not zstd, or one segment only). From a frame whose size cannot be determined
 * (damaged or truncated) to the next place a frame can be found is a segment of its own, which
 * reports the problem at its offset when it is decoded. A frame of more than
 * ING_WALK_FRAME_BLOCKS blocks, the rest of the file after it, and the frames before it that
 * do not yet make a segment are the last segment. */
size_t ing_zstd_segments(const char *path, uint64_t min_bytes, uint64_t **starts);

typedef struct ing_segment ing_segment;

/* Opens the segment [start, end) of a zstd file; first says whether it is segment 0.
 * @return NULL with a message in err. */
ing_segment *ing_segment_open(const char *path, uint64_t start, uint64_t end, bool first,
                              char *err, size_t errlen);
void ing_segment_close(ing_segment *s);

/* Reads up to cap bytes of the text this segment owns. @return 0 once it is all read (or on
 * error: ing_segment_error()). */
size_t ing_segment_read(ing_segment *s, char *buf, size_t cap);

/* As ing_reader_error(): NULL, or why decoding stopped and at which compressed file offset. */
const char *ing_segment_error(const ing_segment *s, uint64_t *offset);
uint64_t ing_segment_bytes_in(const ing_segment *s);   /* compressed bytes of its own range read */
uint64_t ing_segment_bytes_out(const ing_segment *s);  /* decoded bytes of its own frames */
uint64_t ing_segment_skipped(const ing_segment *s);    /* decoded bytes before its first line */

#endif
