// simdjson_ondemand: the simdjson peer of bench/run-bench.sh, the program PERF-ANCHORS measured
// ("simdjson 3.0.1 on-demand, one line at a time, + hash-map aggregation"; for a .zst, "same,
// decompressing with libzstd in a second thread"). It does the job of bench/simdjson_lines.hpp
// and prints, per (normalised host, UTC minute), its completion lines and the 5xx among them:
//
//     simdjson_ondemand FILE          host<TAB>unix_minute<TAB>lines<TAB>5xx, unsorted
//
// FILE is plain NDJSON or zstd (told by its magic number). A reader thread decodes the input into
// line-aligned 1 MiB chunks (a line longer than that grows its chunk) that the main thread parses;
// four chunks in flight bound the memory.
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include "bench/simdjson_lines.hpp"

namespace {

constexpr size_t chunk_size = size_t(1) << 20;
constexpr size_t chunks_in_flight = 4;

struct chunk {
    std::vector<char> buf; // len bytes of whole lines, then at least SIMDJSON_PADDING more
    size_t len = 0;
};

// The reader hands chunks to the parser and takes them back.
class chunk_queue {
public:
    void push(chunk *c)
    {
        std::lock_guard<std::mutex> g(lock_);
        full_.push_back(c);
        wake_.notify_all();
    }
    chunk *pop() // nullptr: the reader is done
    {
        std::unique_lock<std::mutex> g(lock_);
        wake_.wait(g, [this] { return !full_.empty() || done_; });
        if (full_.empty())
            return nullptr;
        chunk *c = full_.front();
        full_.pop_front();
        return c;
    }
    void give_back(chunk *c)
    {
        std::lock_guard<std::mutex> g(lock_);
        free_.push_back(c);
        wake_.notify_all();
    }
    chunk *take_free()
    {
        std::unique_lock<std::mutex> g(lock_);
        wake_.wait(g, [this] { return !free_.empty(); });
        chunk *c = free_.back();
        free_.pop_back();
        return c;
    }
    void finish()
    {
        std::lock_guard<std::mutex> g(lock_);
        done_ = true;
        wake_.notify_all();
    }

private:
    std::mutex lock_;
    std::condition_variable wake_;
    std::deque<chunk *> full_, free_;
    bool done_ = false;
};

// Decoded bytes of a plain or zstd file, in pieces.
class source {
public:
    explicit source(int fd) : fd_(fd), in_(ZSTD_DStreamInSize())
    {
        unsigned char magic[4] = { 0, 0, 0, 0 };
        const ssize_t n = pread(fd_, magic, sizeof magic, 0);
        zstd_ = n == 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD;
        if (zstd_)
            dctx_ = ZSTD_createDCtx();
    }
    ~source() { ZSTD_freeDCtx(dctx_); }
    // Fills buf[0, cap) as far as it can; 0 at the end (or on an error, said on stderr).
    size_t read(char *buf, size_t cap)
    {
        if (!zstd_) {
            const ssize_t n = ::read(fd_, buf, cap);
            return n > 0 ? size_t(n) : 0;
        }
        ZSTD_outBuffer out = { buf, cap, 0 };
        while (out.pos < out.size) {
            if (in_pos_ == in_len_) {
                const ssize_t n = ::read(fd_, in_.data(), in_.size());
                if (n <= 0)
                    break;
                in_len_ = size_t(n);
                in_pos_ = 0;
            }
            ZSTD_inBuffer in = { in_.data(), in_len_, in_pos_ };
            const size_t ret = ZSTD_decompressStream(dctx_, &out, &in);
            in_pos_ = in.pos;
            if (ZSTD_isError(ret)) {
                std::fprintf(stderr, "simdjson_ondemand: %s\n", ZSTD_getErrorName(ret));
                break;
            }
        }
        return out.pos;
    }

private:
    int fd_;
    bool zstd_ = false;
    ZSTD_DCtx *dctx_ = nullptr;
    std::vector<char> in_;
    size_t in_pos_ = 0, in_len_ = 0;
};

// The reader thread: whole lines into chunks, the partial last line carried into the next.
void read_all(source &src, chunk_queue &q)
{
    std::vector<char> carry;
    for (;;) {
        chunk *c = q.take_free();
        // A carried line may be longer than this chunk (it grew another one): room for it and
        // for a chunk's worth of new bytes, so that a read never gets no room at all.
        if (c->buf.size() < carry.size() + chunk_size + simdjson::SIMDJSON_PADDING)
            c->buf.resize(carry.size() + chunk_size + simdjson::SIMDJSON_PADDING);
        if (!carry.empty())
            std::memcpy(c->buf.data(), carry.data(), carry.size());
        size_t len = carry.size();
        bool eof = false;
        for (;;) {
            const size_t cap = c->buf.size() - simdjson::SIMDJSON_PADDING;
            const size_t n = src.read(c->buf.data() + len, cap - len);
            len += n;
            eof = n == 0;
            if (eof || std::memchr(c->buf.data() + carry.size(), '\n', len - carry.size()))
                break;
            if (len == cap) // one line longer than the chunk
                c->buf.resize(c->buf.size() * 2);
        }
        size_t keep = len;
        if (!eof)
            while (keep > 0 && c->buf[keep - 1] != '\n')
                keep--;
        carry.assign(c->buf.begin() + keep, c->buf.begin() + len);
        c->len = keep;
        std::memset(c->buf.data() + keep, 0, simdjson::SIMDJSON_PADDING);
        q.push(c);
        if (eof)
            break;
    }
    q.finish();
}

// SLA-SPEC §2: lower case, a :port suffix removed (not inside an IPv6 literal).
std::string normalise_host(std::string_view h)
{
    std::string s(h);
    for (char &ch : s)
        ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (!s.empty() && s[0] == '[') {
        const size_t end = s.find(']');
        return end == std::string::npos ? s : s.substr(0, end + 1);
    }
    const size_t colon = s.rfind(':');
    if (colon != std::string::npos && s.find(':') == colon &&
        s.find_first_not_of("0123456789", colon + 1) == std::string::npos)
        s.resize(colon);
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: simdjson_ondemand FILE\n");
        return 2;
    }
    const int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        std::perror(argv[1]);
        return 1;
    }
    source src(fd);
    chunk_queue q;
    std::vector<chunk> chunks(chunks_in_flight);
    for (chunk &c : chunks) {
        c.buf.resize(chunk_size + simdjson::SIMDJSON_PADDING);
        q.give_back(&c);
    }
    std::thread reader(read_all, std::ref(src), std::ref(q));
    bench_sj::cell_map cells;
    bench_sj::line_counts counts;
    while (chunk *c = q.pop()) {
        bench_sj::scan_lines(c->buf.data(), c->len, &counts,
                             [&cells](std::string_view host, int64_t ns, int status) {
                                 bench_sj::count_in(cells, normalise_host(host), ns, status);
                             });
        q.give_back(c);
    }
    reader.join();
    close(fd);
    for (const auto &cell : cells)
        std::printf("%s\t%lld\t%u\t%u\n", cell.first.host.c_str(), (long long)cell.first.minute,
                    cell.second.requests, cell.second.errors_5xx);
    std::fprintf(stderr, "simdjson_ondemand: %llu lines, %llu outcomes, %llu skipped, %llu rejected\n",
                 (unsigned long long)counts.lines, (unsigned long long)counts.outcomes,
                 (unsigned long long)counts.skipped, (unsigned long long)counts.rejected);
    return 0;
}
