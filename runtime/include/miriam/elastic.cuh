// Device-side support for the elastic variants that miriamc emits.
//
// Every .elastic.cu file includes this header. It defines the extra kernel
// parameters the variants take and the index arithmetic that maps a physical
// block of a variant launch to the logical block of the original grid.
#pragma once

#include <cuda_runtime.h>

#include <type_traits>

#include "miriam/registry.h"

namespace miriam {

// Division by a divisor fixed at launch time, as a multiply-high, an add and
// a shift (the round-up method of Hacker's Delight, 10-9): exact for every
// 32-bit dividend. GPUs have no integer divider; a plain `/` by a run-time
// value costs ~20 instructions, which the logical-index arithmetic of every
// block would pay (measured: +46% instructions on a small 2D transpose).
struct FastDivisor {
  unsigned divisor = 1;
  unsigned multiplier = 0;
  unsigned shift = 0;

  FastDivisor() = default;
  __host__ __device__ explicit FastDivisor(unsigned d) : divisor(d) {
    while (shift < 32 && (1ull << shift) < d) ++shift;
    multiplier = static_cast<unsigned>(((1ull << 32) * ((1ull << shift) - d)) / d + 1);
  }
  __host__ __device__ unsigned divide(unsigned n) const {
#if defined(__CUDA_ARCH__)
    const unsigned high = __umulhi(n, multiplier);
#else
    const unsigned high = static_cast<unsigned>((static_cast<unsigned long long>(n) * multiplier) >> 32);
#endif
    return static_cast<unsigned>((static_cast<unsigned long long>(high) + n) >> shift);
  }
};

// The logical blocks [begin, end) of a logical grid, in row-major linear
// order (x fastest). A sliced variant takes it as its first parameter.
struct Slice {
  unsigned long long begin = 0;
  unsigned long long end = 0;
  dim3 grid;  // the original launch's grid: what gridDim reads inside the variant
  FastDivisor grid_x;  // grid.x and grid.y as divisors, for the logical index
  FastDivisor grid_y;
  // Persistent variants only (PersistentLaunch::chunk, static_first_chunk);
  // sliced variants ignore them. They fill what was padding: the struct (a
  // kernel parameter) keeps its 56 bytes.
  unsigned short chunk = 1;
  bool static_first_chunk = false;

  Slice() = default;
  __host__ __device__ Slice(unsigned long long first, unsigned long long last, dim3 logical_grid,
                            unsigned short claim_chunk = 1, bool first_chunk_static = false)
      : begin(first), end(last), grid(logical_grid), grid_x(logical_grid.x), grid_y(logical_grid.y),
        chunk(claim_chunk), static_first_chunk(first_chunk_static) {}
};
static_assert(sizeof(Slice) == 56, "miriam: Slice is a kernel parameter of every variant; keep its layout");

// What a cloned __device__ function needs to answer blockIdx/gridDim with
// logical values: passed as its first parameter from the variant's body.
struct LogicalGrid {
  uint3 block;
  dim3 grid;
};

__host__ __device__ inline unsigned long long logical_block_count(dim3 grid) {
  return static_cast<unsigned long long>(grid.x) * grid.y * grid.z;
}

__host__ __device__ inline uint3 logical_block_index(unsigned long long linear, dim3 grid) {
  // Fast paths first: the branch is uniform across the grid, and most grids
  // are 1D or hold fewer than 2^32 blocks (64-bit division is a long routine).
  if (grid.y == 1 && grid.z == 1) return make_uint3(static_cast<unsigned>(linear), 0, 0);
  if (linear <= 0xFFFFFFFFull) {
    const unsigned l = static_cast<unsigned>(linear);
    const unsigned row = l / grid.x;
    return make_uint3(l - row * grid.x, row % grid.y, row / grid.y);
  }
  const unsigned long long row = linear / grid.x;
  return make_uint3(static_cast<unsigned>(linear - row * grid.x), static_cast<unsigned>(row % grid.y),
                    static_cast<unsigned>(row / grid.y));
}

#if defined(__CUDACC__)
// Physical launches of variants are 1D in x, with y used only when a slice
// holds more blocks than gridDim.x allows.
__device__ inline unsigned long long physical_block_linear() {
  if (gridDim.y == 1) return blockIdx.x;
  return static_cast<unsigned long long>(blockIdx.y) * gridDim.x + blockIdx.x;
}

__device__ inline bool slice_block_active(const Slice& slice) {
  return slice.begin + physical_block_linear() < slice.end;
}

// logical_block_index() with the slice's precomputed divisors.
__host__ __device__ inline uint3 slice_logical_block(const Slice& slice, unsigned long long linear) {
  if (slice.grid.y == 1 && slice.grid.z == 1) return make_uint3(static_cast<unsigned>(linear), 0, 0);
  if (linear <= 0xFFFFFFFFull) {
    const unsigned l = static_cast<unsigned>(linear);
    const unsigned row = slice.grid_x.divide(l);
    const unsigned z = slice.grid_y.divide(row);
    return make_uint3(l - row * slice.grid.x, row - z * slice.grid.y, z);
  }
  return logical_block_index(linear, slice.grid);
}

__device__ inline uint3 slice_block_index(const Slice& slice) {
  return slice_logical_block(slice, slice.begin + physical_block_linear());
}

__device__ inline LogicalGrid logical_grid(uint3 block, dim3 grid) { return LogicalGrid{block, grid}; }
#endif  // __CUDACC__

// The physical grid that runs `blocks` logical blocks, one physical block each.
__host__ inline dim3 physical_grid_for(unsigned long long blocks) {
  constexpr unsigned long long kMaxX = 2147483647ull;
  if (blocks <= kMaxX) return dim3(static_cast<unsigned>(blocks), 1, 1);
  return dim3(static_cast<unsigned>(kMaxX), static_cast<unsigned>((blocks + kMaxX - 1) / kMaxX), 1);
}

// Everything a host helper needs to launch one slice of a kernel.
struct SliceLaunch {
  dim3 grid;                 // the original (logical) grid
  dim3 block;                // unchanged block shape
  size_t shared_bytes = 0;   // dynamic shared memory, as for the original launch
  cudaStream_t stream = nullptr;
  unsigned long long begin = 0;
  unsigned long long end = 0;  // exclusive; must be <= logical_block_count(grid)

  Slice slice() const { return Slice{begin, end, grid}; }
  dim3 physical_grid() const { return physical_grid_for(end - begin); }
  bool valid() const { return begin < end && end <= logical_block_count(grid); }
};

// ---------------------------------------------------------------------------
// Persistent variants (k__miriam_persistent): P resident blocks loop over the
// logical blocks [begin, end) and stop at a logical-block boundary on request.
//
// Claiming, in chunks of C = PersistentLaunch::chunk consecutive logical
// blocks (offsets from begin), by atomic ticket: atomicAdd(claimed, C) = t
// gives [S + t, S + t + C), taken only while no stop is requested. A block
// checks the stop word only when it needs a new chunk. S is 0, or with
// static_first_chunk P*C: physical block b then starts with the static chunk
// b, b + P, ..., b + (C-1)P (offsets below min(P*C, count)) without asking
// anyone (no stop check, no atomic). Interleaved rather than [b*C, b*C + C):
// the blocks that run at once are then neighbours, as in the hardware's own
// order (H200, DNN layer median at C = 16 with static chunks: +259% with
// contiguous chunks, +12% interleaved; results/2026-11-28-h200-session8).
// Every chunk claimed is run in full (clipped to the range), and chunks are
// handed out in increasing order, so the progress of a stopped launch is ONE
// number: all of [begin, begin + min(S + t_total, count)) is done, nothing
// after it was started. A static stride for the whole range would leave a
// frontier per physical block instead.
//
// What this costs in preemption: after the stop word lands, each block still
// runs the rest of its chunk, at most C logical blocks. With
// static_first_chunk a stop requested before the launch starts no longer
// means "runs nothing": the static chunks, min(P*C, count) logical blocks,
// always run (checking the stop word before them would leave holes: block 0
// saw no stop and ran chunk 0, block 1 saw it and skipped chunk 1). In
// exchange the first chunk skips the serial stop load + atomic, and every
// launch makes progress, so repeated stops cannot starve a task.
//
// The stop word lives in device memory and is written with an async copy from
// pinned host memory on a stream of the caller's choice: a copy engine needs
// no SM slot, so the request cannot queue behind the resident blocks it is
// meant to stop. Host-mapped (zero-copy) polling was measured 29x slower.
//
// The claim word needs no reset before a launch: a launch whose static first
// chunks cover its range never touches it (nor `finished`: its progress is
// its end, which persistent_progress knows), and otherwise the last physical
// block of a launch to exit records the count in `finished` (for the host) and resets the
// word to 0, so the next launch in stream order starts from zero (a memset per
// launch cost ~1.5 us on ~4 us kernels). Tickets and exits share one 64-bit
// word so that the last block learns the final ticket count from its own exit
// atomic: read-modify-writes of one location are totally ordered, each block's
// ticket adds come before its exit add, so no fence is needed.
// ---------------------------------------------------------------------------

// The claim word: ticketed logical blocks in the low bits, exited physical
// blocks in the high bits. PersistentLaunch::valid() keeps both in range.
inline constexpr unsigned kPersistentExitShift = 40;
inline constexpr unsigned long long kPersistentTicketMask = (1ull << kPersistentExitShift) - 1;
inline constexpr unsigned kMaxPersistentBlocks = (1u << (64 - kPersistentExitShift)) - 1;  // P
inline constexpr unsigned kMaxPersistentChunk = 65535;  // C (Slice::chunk)

// One per in-flight persistent launch, in device memory. Launches that share a
// control block must be ordered (one stream): the next starts after the last
// block of the previous one has reset the claim word.
struct PersistentControl {
  unsigned long long claimed;   // the running launch's ticketed blocks | exited blocks << 40; 0 when none runs
  unsigned int stop;            // nonzero: finish the current chunk, take no more
  unsigned int unused;
  unsigned long long finished;  // logical blocks the last finished launch claimed, from its begin
};

#if defined(__CUDACC__)
// The logical block a physical block runs next, published by its leader in
// shared memory: the body's threads read three words, and the 64-bit chunk
// arithmetic stays in the leader's code between logical blocks, where it
// does not add to the body's register pressure.
struct PersistentClaim {
  uint3 block;         // logical blockIdx
  unsigned int valid;  // 0: nothing left (all claimed, or a stop was requested)
};

// A physical block's loop state, in shared memory. Two claim slots let one
// barrier per logical block both publish the next claim and separate the two
// blocks' use of shared memory. The rest is the leader's alone: the chunk
// being run, and the launch's constants the claims need, kept here rather
// than in registers (the compiler would hoist them out of the loop and hold
// them across the body: +7 registers on the implicit-GEMM convolution).
struct PersistentClaims {
  PersistentClaim slot[2];
  unsigned long long next;            // the next logical block of the chunk being run
  unsigned long long chunk_end;       // that chunk's end (exclusive)
  unsigned long long stride;          // between its logical blocks: P for a static chunk, else 1
  unsigned long long begin, end;      // the launch's range
  unsigned long long first_ticketed;  // offset of the first ticketed chunk (P*C with static first chunks, else 0)
  unsigned long long chunk;           // C
};

// The one thread of a block that claims logical blocks for it.
__device__ inline bool persistent_leader() { return threadIdx.x == 0 && threadIdx.y == 0 && threadIdx.z == 0; }

// What the claim protocol below asks of the GPU. The protocol is written
// against it so that a CPU model of many blocks (tests/runtime/
// elastic_support_test.cu) runs the very same code with interleavings of its
// choosing.
struct PersistentDeviceOps {
  PersistentControl* ctrl;
  __device__ unsigned physical_blocks() const { return gridDim.x * gridDim.y * gridDim.z; }
  __device__ unsigned long long block_linear() const { return physical_block_linear(); }
  // A volatile load goes to L2 every time, so a stop written by a copy
  // engine is seen at the next chunk boundary.
  __device__ bool stop_requested() const { return *static_cast<volatile unsigned int*>(&ctrl->stop) != 0u; }
  __device__ unsigned long long fetch_add(unsigned long long v) const { return atomicAdd(&ctrl->claimed, v); }
  // The last block: the count for the host, and the claim word reset for the next launch.
  __device__ void finish(unsigned long long claimed) const {
    ctrl->finished = claimed;
    atomicExch(&ctrl->claimed, 0ull);
  }
};

// Offsets [0, S) of the range go out as static first chunks (S = P*C or 0).
__host__ __device__ inline unsigned long long persistent_static_blocks(const Slice& slice, unsigned physical_blocks) {
  if (!slice.static_first_chunk) return 0;
  return static_cast<unsigned long long>(physical_blocks) * slice.chunk;
}

// Makes the ticketed chunk of offsets [start, start + C) ∩ [0, count)
// current and publishes its first logical block in `slot`.
__host__ __device__ inline void persistent_start_chunk(PersistentClaims& claims, unsigned slot, const Slice& slice,
                                                       unsigned long long start) {
  const unsigned long long first = claims.begin + start;
  const unsigned long long stop_at = first + claims.chunk;
  claims.next = first + 1;
  claims.chunk_end = stop_at < claims.end ? stop_at : claims.end;
  claims.stride = 1;
  claims.slot[slot] = PersistentClaim{slice_logical_block(slice, first), 1u};
}

__host__ __device__ inline void persistent_no_claim(PersistentClaims& claims, unsigned slot) {
  claims.slot[slot] = PersistentClaim{make_uint3(0, 0, 0), 0u};
}

// A new chunk by ticket into `slot`, unless a stop was requested or none is left.
#pragma nv_exec_check_disable
template <class Ops>
__host__ __device__ void persistent_claim_chunk(PersistentClaims& claims, unsigned slot, const Ops& ops,
                                                const Slice& slice) {
  const unsigned long long count = claims.end - claims.begin;
  if (claims.first_ticketed >= count) return persistent_no_claim(claims, slot);  // static chunks cover the range
  if (ops.stop_requested()) return persistent_no_claim(claims, slot);
  const unsigned long long ticket = ops.fetch_add(claims.chunk);
  const unsigned long long start = claims.first_ticketed + (ticket & kPersistentTicketMask);
  if (start >= count) return persistent_no_claim(claims, slot);
  persistent_start_chunk(claims, slot, slice, start);
}

// The first claim, into slot 0: this block's static chunk, or a ticket. Leader only.
#pragma nv_exec_check_disable
template <class Ops>
__host__ __device__ void persistent_first_claim(PersistentClaims& claims, const Ops& ops, const Slice& slice) {
  claims.begin = slice.begin;
  claims.end = slice.end;
  claims.chunk = slice.chunk;
  claims.first_ticketed = persistent_static_blocks(slice, ops.physical_blocks());
  if (!slice.static_first_chunk) return persistent_claim_chunk(claims, 0, ops, slice);
  // The static chunk: offsets b, b + P, ... below min(P*C, count).
  const unsigned long long count = slice.end - slice.begin;
  const unsigned long long offset = ops.block_linear();
  if (offset >= count) return persistent_no_claim(claims, 0);
  const unsigned long long first = slice.begin + offset;
  claims.next = first + ops.physical_blocks();
  claims.chunk_end = slice.begin + (claims.first_ticketed < count ? claims.first_ticketed : count);
  claims.stride = ops.physical_blocks();
  claims.slot[0] = PersistentClaim{slice_logical_block(slice, first), 1u};
}

// The claim after the current logical block, into `slot`: the next block of
// the chunk, else a new chunk. Leader only.
#pragma nv_exec_check_disable
template <class Ops>
__host__ __device__ void persistent_next_claim(PersistentClaims& claims, unsigned slot, const Ops& ops,
                                               const Slice& slice) {
  if (claims.next < claims.chunk_end) {
    claims.slot[slot] = PersistentClaim{slice_logical_block(slice, claims.next), 1u};
    claims.next += claims.stride;
    return;
  }
  // Chunks go out in increasing order: after the one that reached the end,
  // every ticket would be empty.
  if (claims.chunk_end == claims.end) return persistent_no_claim(claims, slot);
  persistent_claim_chunk(claims, slot, ops, slice);
}

// Called by the leader when its block leaves the loop. The last block of the
// launch to leave records how many logical blocks the launch claimed (static
// and ticketed) for the host and resets the claim word for the next launch.
#pragma nv_exec_check_disable
template <class Ops>
__host__ __device__ void persistent_block_exit(const Ops& ops, const Slice& slice) {
  // Static chunks alone: no ticket was taken, the word is still 0, and the
  // host knows the progress. Saves the exit atomic and the last block's
  // bookkeeping, ~1 us at the end of a one-wave launch.
  if (persistent_static_blocks(slice, ops.physical_blocks()) >= slice.end - slice.begin) return;
  const unsigned long long word = ops.fetch_add(1ull << kPersistentExitShift);
  if ((word >> kPersistentExitShift) != ops.physical_blocks() - 1u) return;
  // This add is the last read-modify-write of the word: `word` holds every ticket.
  ops.finish(persistent_static_blocks(slice, ops.physical_blocks()) + (word & kPersistentTicketMask));
}

// Chunk loops (opt-in: miriamc --persistent-loop=chunks). A kernel whose
// logical blocks share nothing inside a physical block (no shared memory, no
// barriers, no warp-level operations: the pass decides, and the manifest says
// "loop": "chunks") needs no barrier between
// two logical blocks of one chunk. Its leader publishes a whole chunk, the
// threads run its logical blocks back to back, and the only barrier is the
// one that publishes the next chunk: the per-logical-block barrier, where
// warps waited for the slowest one and for the leader's ticket, was most of
// the loop's cost on short blocks (ncu: residual add, 48.8 barrier stall
// cycles per issued instruction). The claims are the same as above.
struct PersistentChunk {
  // Logical blocks first, first + stride, ... below end; first == end: none left.
  unsigned long long first, end, stride;
};

struct PersistentChunkClaims {
  PersistentClaims claims;
  PersistentChunk published[2];  // two slots, for the reason PersistentClaims has two
};

// Publishes the whole chunk whose first logical block claims.slot[slot] holds.
__host__ __device__ inline void persistent_publish_chunk(PersistentChunkClaims& c, unsigned slot) {
  const PersistentClaims& k = c.claims;
  c.published[slot] = k.slot[slot].valid ? PersistentChunk{k.next - k.stride, k.chunk_end, k.stride}
                                         : PersistentChunk{0, 0, 1};
}

#pragma nv_exec_check_disable
template <class Ops>
__host__ __device__ void persistent_first_chunk(PersistentChunkClaims& c, const Ops& ops, const Slice& slice) {
  persistent_first_claim(c.claims, ops, slice);
  persistent_publish_chunk(c, 0);
}

// The chunk after the current one, into `slot`: the block has run the whole
// current chunk, so the claim is a new chunk (or none). Leader only.
#pragma nv_exec_check_disable
template <class Ops>
__host__ __device__ void persistent_next_chunk(PersistentChunkClaims& c, unsigned slot, const Ops& ops,
                                               const Slice& slice) {
  c.claims.next = c.claims.chunk_end;
  persistent_next_claim(c.claims, slot, ops, slice);
  persistent_publish_chunk(c, slot);
}

// What the emitted persistent loop calls (templates/persistent_*.cu.tmpl).

// The chunk loop's k-th logical block of the chunk published in `slot`, into
// `linear`; false past the chunk's end (or for an empty chunk). The chunk is
// read from shared memory on every call (volatile), so nothing of it stays in
// registers across the body but k. Held in registers (with the stride), it
// took max pool from 30 to 38 registers, 6 instead of 8 blocks of 256 threads
// per SM; with this (and plain parameter copies) 32, the original's count.
__device__ inline bool persistent_chunk_block(const PersistentChunkClaims& claims, unsigned slot, unsigned k,
                                              unsigned long long* linear) {
  const volatile PersistentChunk& chunk = claims.published[slot];
  const unsigned long long l = chunk.first + static_cast<unsigned long long>(k) * chunk.stride;
  *linear = l;
  return l < chunk.end;
}

__device__ inline void persistent_first_claim(PersistentClaims& claims, PersistentControl* ctrl, const Slice& slice) {
  persistent_first_claim(claims, PersistentDeviceOps{ctrl}, slice);
}
__device__ inline void persistent_next_claim(PersistentClaims& claims, unsigned slot, PersistentControl* ctrl,
                                             const Slice& slice) {
  persistent_next_claim(claims, slot, PersistentDeviceOps{ctrl}, slice);
}
__device__ inline void persistent_block_exit(PersistentControl* ctrl, const Slice& slice) {
  persistent_block_exit(PersistentDeviceOps{ctrl}, slice);
}
__device__ inline void persistent_first_chunk(PersistentChunkClaims& claims, PersistentControl* ctrl,
                                              const Slice& slice) {
  persistent_first_chunk(claims, PersistentDeviceOps{ctrl}, slice);
}
__device__ inline void persistent_next_chunk(PersistentChunkClaims& claims, unsigned slot, PersistentControl* ctrl,
                                             const Slice& slice) {
  persistent_next_chunk(claims, slot, PersistentDeviceOps{ctrl}, slice);
}

// A per-logical-block copy of a kernel parameter. The body may modify its
// parameters (`x += offset;`): each logical block must start from the
// launch's values, as each block of the original grid does. The empty asm
// makes copies of scalars opaque, so the compiler recomputes what the body
// derives from them per logical block (as the original does per block)
// instead of hoisting it out of the persistent loop and holding it in
// registers across the whole body (ptxas, sm_90: GEMM 32 registers
// originally, 56 with plain copies, 32 with opaque ones; convolution 40, 55,
// 40; results/persistent_registers.md).
template <class T>
__device__ __forceinline__ T persistent_fresh(T copy) {  // by value: T drops const and __restrict__
  static_assert(std::is_trivially_copyable<T>::value,
                "miriam: a parameter of a persistent variant must be trivially copyable (it is copied per logical "
                "block)");
  if constexpr (std::is_pointer<T>::value) {
    // Pointers stay transparent: through the asm the compiler would no longer
    // know a kernel pointer parameter points to global memory, nor keep its
    // __restrict__ (measured: ld.global.nc became generic ld). Expressions that
    // combine them with scalar parameters are still recomputed per block.
  } else if constexpr (sizeof(T) == 8) {
    unsigned long long bits;
    __builtin_memcpy(&bits, &copy, 8);
    asm volatile("" : "+l"(bits));
    __builtin_memcpy(&copy, &bits, 8);
  } else if constexpr (sizeof(T) == 4) {
    unsigned int bits;
    __builtin_memcpy(&bits, &copy, 4);
    asm volatile("" : "+r"(bits));
    __builtin_memcpy(&copy, &bits, 4);
  }
  return copy;
}

#endif  // __CUDACC__

// Everything a host helper needs to launch a persistent variant.
struct PersistentLaunch {
  dim3 grid;                     // the original (logical) grid
  dim3 block;                    // unchanged block shape
  size_t shared_bytes = 0;       // dynamic shared memory, as for the original launch
  cudaStream_t stream = nullptr;
  unsigned long long begin = 0;  // logical blocks [begin, end) of `grid`
  unsigned long long end = 0;
  unsigned physical_blocks = 1;  // P: resident blocks that share the range
  // C: logical blocks per claim (at most kMaxPersistentChunk). One atomic per
  // C blocks instead of per block; a stop then takes effect after at most C
  // more logical blocks per physical block.
  unsigned chunk = 1;
  // Each physical block starts with its own chunk, without an atomic; such a
  // launch always runs those min(P*C, count) logical blocks, even when it was
  // stopped before it started.
  bool static_first_chunk = false;
  PersistentControl* control = nullptr;

  Slice slice() const {
    return Slice{begin, end, grid, static_cast<unsigned short>(chunk), static_first_chunk};
  }
  // The static first chunks alone cover the range: nothing is ticketed, the
  // launch always runs to its end.
  bool static_chunks_cover() const {
    return static_first_chunk && static_cast<unsigned long long>(physical_blocks) * chunk >= end - begin;
  }
  // Each physical block runs at most one logical block, its static first
  // chunk (C = 1, P >= count): nothing is claimed and no stop can be honoured,
  // so the persistent loop buys nothing. Such a launch may run the sliced
  // variant instead (slice_launch()), without the loop's cost: same logical
  // blocks, each once, the same P blocks or fewer on the GPU, and the same
  // progress afterwards (its end; the control block is not touched either way).
  bool one_block_each() const {
    return static_first_chunk && chunk == 1 && end > begin && physical_blocks >= end - begin;
  }
  // The launch covers the original grid: one that needs no loop
  // (one_block_each) is then the original launch itself, and the original
  // kernel runs it without any variant's cost. (On an H200 the sliced variant
  // of the classifier GEMM, the same inner loop as the original, still took
  // +4.1% in instructions scheduled differently: results/2026-11-28-h200-session9.)
  bool whole_grid() const { return begin == 0 && end == logical_block_count(grid); }
  SliceLaunch slice_launch() const { return SliceLaunch{grid, block, shared_bytes, stream, begin, end}; }
  dim3 physical_grid() const { return dim3(physical_blocks, 1, 1); }
  bool valid() const {
    if (control == nullptr || physical_blocks < 1 || physical_blocks > kMaxPersistentBlocks || chunk < 1 ||
        chunk > kMaxPersistentChunk ||
        begin >= end || end > logical_block_count(grid))
      return false;
    // The ticket count (at most count + (P+1)*C) must stay below the exit bits of the claim word.
    const unsigned long long count = end - begin;
    return count <= kPersistentTicketMask &&
           count + (static_cast<unsigned long long>(physical_blocks) + 1) * chunk <= kPersistentTicketMask;
  }
};

// A control block with its pinned host-side words (the source of the stop
// copy and the target of the progress copy).
struct PersistentControlBlock {
  PersistentControl* device = nullptr;
  unsigned int* host_stop_word = nullptr;         // pinned, holds 1
  unsigned long long* host_claimed = nullptr;     // pinned, filled by persistent_query_progress
};

__host__ inline cudaError_t persistent_control_create(PersistentControlBlock* block) {
  *block = PersistentControlBlock{};
  cudaError_t e = cudaMalloc(&block->device, sizeof(PersistentControl));
  // Zeroed on a stream of its own and waited for: cudaMemset would go to the
  // legacy default stream, behind every blocking stream's work, and might
  // land after the first launch on a non-blocking stream.
  cudaStream_t zeroing = nullptr;
  if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&zeroing, cudaStreamNonBlocking);
  if (e == cudaSuccess) e = cudaMemsetAsync(block->device, 0, sizeof(PersistentControl), zeroing);
  if (e == cudaSuccess) e = cudaStreamSynchronize(zeroing);
  if (zeroing) cudaStreamDestroy(zeroing);
  if (e == cudaSuccess) e = cudaMallocHost(&block->host_stop_word, sizeof(unsigned int));
  if (e == cudaSuccess) e = cudaMallocHost(&block->host_claimed, sizeof(unsigned long long));
  if (e != cudaSuccess) return e;
  *block->host_stop_word = 1u;
  *block->host_claimed = 0;
  return cudaSuccess;
}

__host__ inline void persistent_control_destroy(PersistentControlBlock* block) {
  if (block->device) cudaFree(block->device);
  if (block->host_stop_word) cudaFreeHost(block->host_stop_word);
  if (block->host_claimed) cudaFreeHost(block->host_claimed);
  *block = PersistentControlBlock{};
}

// Before each launch (the emitted launch helper calls it). Enqueues nothing:
// the previous launch on the control block left its claim word at zero. The
// stop word is left alone, so a request made before the launch started
// still stops it (after its static first chunks, if it has them); clear it to resume.
__host__ inline cudaError_t persistent_prepare_launch(const PersistentLaunch& launch) {
  return launch.valid() ? cudaSuccess : cudaErrorInvalidValue;
}

// Clears a stop request, stream-ordered on `stream` (before a resume launch).
__host__ inline cudaError_t persistent_clear_stop(const PersistentControlBlock& block, cudaStream_t stream) {
  return cudaMemsetAsync(&block.device->stop, 0, sizeof(unsigned int), stream);
}

// Requests preemption: an async copy of the stop word on `stream`, which
// should be a stream of its own (not the kernel's: it would wait for it).
// Each physical block finishes the chunk it is in (at most launch.chunk
// logical blocks; a launch that has not started runs its static first chunks
// if it has them, nothing otherwise).
__host__ inline cudaError_t persistent_request_preemption(const PersistentControlBlock& block, cudaStream_t stream) {
  return cudaMemcpyAsync(&block.device->stop, block.host_stop_word, sizeof(unsigned int), cudaMemcpyHostToDevice,
                         stream);
}

// Copies the claimed count of the last finished launch into block.host_claimed,
// stream-ordered on `stream` (the kernel's stream: after it exits). Read it
// after a sync.
__host__ inline cudaError_t persistent_query_progress(const PersistentControlBlock& block, cudaStream_t stream) {
  return cudaMemcpyAsync(block.host_claimed, &block.device->finished, sizeof(unsigned long long),
                         cudaMemcpyDeviceToHost, stream);
}

// Where a stopped launch got to: every logical block before it is done, none
// after it was started. Equals launch.end when the launch finished.
__host__ inline unsigned long long persistent_progress(const PersistentLaunch& launch, unsigned long long claimed) {
  // Such a launch leaves no count behind (`claimed` is an older launch's).
  if (launch.static_chunks_cover()) return launch.end;
  const unsigned long long count = launch.end - launch.begin;
  return launch.begin + (claimed < count ? claimed : count);
}

// Resume: the launch that continues `launch` from `progress`; false when
// nothing is left. Clear the stop word (persistent_clear_stop) first.
__host__ inline bool persistent_resume_launch(PersistentLaunch& launch, unsigned long long progress) {
  if (progress >= launch.end) return false;
  launch.begin = progress;
  return true;
}

// ---------------------------------------------------------------------------
// Shrunk variants (k__miriam_shrunk(Slice, Shrink, ...)): a physical block of
// B/f threads runs the B logical threads of an original block, f "slots" per
// physical thread; like a sliced variant, a launch runs a slice of the
// original grid's logical blocks (blockIdx/gridDim read logical values).
//
// The block's outermost dimension of extent > 1 (z, else y, else x) is the one
// divided by f: logical thread (slot s, physical t) is t with that coordinate
// plus s * extent / f. Its linear index is s * (B/f) + t's linear index, so a
// physical warp still covers 32 consecutive logical threads (same coalescing
// as the original) and no division is needed.
// ---------------------------------------------------------------------------

// Values live across a barrier get one copy per slot in arrays of this size,
// so variants that need them accept factors up to it (the manifest says which).
inline constexpr unsigned kMaxShrinkFactor = 8;

__host__ __device__ inline unsigned shrink_dimension(dim3 block) { return block.z > 1 ? 2u : block.y > 1 ? 1u : 0u; }

__host__ __device__ inline unsigned shrink_extent(dim3 block) {
  const unsigned d = shrink_dimension(block);
  return d == 2 ? block.z : d == 1 ? block.y : block.x;
}

// What a shrunk variant takes as its first parameter.
struct Shrink {
  dim3 block;              // the original (logical) block: what blockDim reads inside the variant
  unsigned factor = 1;     // logical threads per physical thread
  unsigned dimension = 0;  // 0, 1, 2: the coordinate the slots offset
  unsigned step = 1;       // extent of that coordinate / factor

  Shrink() = default;
  __host__ __device__ Shrink(dim3 logical_block, unsigned f)
      : block(logical_block), factor(f), dimension(shrink_dimension(logical_block)),
        step(f == 0 ? 0u : shrink_extent(logical_block) / f) {}
};

// f is valid for a block when it divides the shrunk extent and, for variants
// with per-slot storage (max_factor != 0), is at most max_factor.
__host__ __device__ inline bool shrink_factor_valid(dim3 block, unsigned factor, unsigned max_factor) {
  if (factor == 0 || (max_factor != 0 && factor > max_factor)) return false;
  return shrink_extent(block) % factor == 0;
}

__host__ __device__ inline dim3 shrunk_physical_block(dim3 block, unsigned factor) {
  const unsigned d = shrink_dimension(block);
  return dim3(d == 0 ? block.x / factor : block.x, d == 1 ? block.y / factor : block.y,
              d == 2 ? block.z / factor : block.z);
}

// What a cloned __device__ function needs to answer threadIdx/blockDim with
// logical values: passed as its first parameter from the shrunk variant.
struct LogicalThread {
  uint3 thread;
  dim3 block;
};

// One copy of a value per slot; T may be an array type.
template <class T>
struct ShrunkSlots {
  T slot[kMaxShrinkFactor];
};

template <class T>
__host__ __device__ inline void shrunk_store(T& to, const T& from) {
  to = from;
}
template <class T, unsigned long N>
__host__ __device__ inline void shrunk_store(T (&to)[N], const T (&from)[N]) {
  for (unsigned long i = 0; i < N; ++i) shrunk_store(to[i], from[i]);
}

#if defined(__CUDACC__)
__device__ inline uint3 shrunk_physical_thread() { return threadIdx; }

__device__ inline uint3 shrunk_thread_index(const Shrink& shrink, uint3 physical, unsigned slot) {
  const unsigned offset = slot * shrink.step;
  return make_uint3(physical.x + (shrink.dimension == 0 ? offset : 0u),
                    physical.y + (shrink.dimension == 1 ? offset : 0u),
                    physical.z + (shrink.dimension == 2 ? offset : 0u));
}

__device__ inline LogicalThread logical_thread(uint3 thread, dim3 block) { return LogicalThread{thread, block}; }
#endif  // __CUDACC__

// Everything a host helper needs to launch a shrunk variant: logical blocks
// [begin, end) of the original grid (as a SliceLaunch: one physical block per
// logical block), each physical block block / factor threads.
struct ShrunkLaunch {
  dim3 grid;                // the original (logical) grid
  dim3 block;               // the original (logical) block
  size_t shared_bytes = 0;  // dynamic shared memory, as for the original launch
  cudaStream_t stream = nullptr;
  unsigned factor = 1;      // f: the physical block has block / f threads
  unsigned long long begin = 0;
  unsigned long long end = 0;  // exclusive; must be <= logical_block_count(grid)

  // The whole grid [0, count) at factor `f`.
  static ShrunkLaunch whole_grid(dim3 grid, dim3 block, unsigned f, size_t shared_bytes = 0,
                                 cudaStream_t stream = nullptr) {
    ShrunkLaunch l;
    l.grid = grid, l.block = block, l.shared_bytes = shared_bytes, l.stream = stream, l.factor = f;
    l.end = logical_block_count(grid);
    return l;
  }

  Slice slice() const { return Slice{begin, end, grid}; }
  Shrink shrink() const { return Shrink{block, factor}; }
  dim3 physical_grid() const { return physical_grid_for(end - begin); }
  dim3 physical_block() const { return shrunk_physical_block(block, factor); }
  bool valid(unsigned max_factor) const {
    return begin < end && end <= logical_block_count(grid) && shrink_factor_valid(block, factor, max_factor);
  }
};

}  // namespace miriam
