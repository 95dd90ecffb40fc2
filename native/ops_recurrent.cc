// RecurrentOps (src/backend/recurrent-ops.ts): the sequence transposes and the whole-sequence
// ops over the fused cell kernels (kernels.h, generic.cc).
#include <cstring>
#include <string>
#include <vector>

#include "generic.h"
#include "ops.h"

namespace {

napi_value transposeSequence(Call& c) {
  const long batch = c.size(2, "batch"), steps = c.size(3, "steps"), f = c.size(4, "features");
  const long n = c.product({batch, steps, f});
  float* bm = c.span(c.f32(0, "batchMajor"), "batchMajor", 0, n);
  float* tm = c.span(c.f32(1, "timeMajor"), "timeMajor", 0, n);
  const bool reverse = c.flag(5, "reverse");
  const auto sc = c.f32OrNull(6, "scale");
  const float* scale = sc ? c.span(sc, "scale", 0, c.product({batch, f})) : nullptr;
  const bool toTimeMajor = c.flag(7, "toTimeMajor");
  if (n == 0) return undefined(c.env);
  forRanges(steps, n, [&](long lo, long hi) {
    generic::transposeSequence(bm, tm, batch, steps, f, reverse, scale, toTimeMajor, lo, hi);
  });
  return undefined(c.env);
}

// Whole sequences (RecurrentOps.sequenceForward/Backward/Last), one loop over time for every
// cell. Threads take whole batch rows for all steps: rows are independent through time, so there
// is one handshake per sequence instead of one per step, and each row is computed exactly as by
// the per-step ops (GEMM values do not depend on the row block).
struct Sequence {
  int kind, act;
  bool resetAfter;
  long B, T, H, G;  // G = gates per unit · H
  float* gates;
  const float* U;
  float* h;
  float* hIn;           // [T, B, H] when scale
  const float* scale;   // recurrent dropout [B, H] or null
  const uint8_t* mask;  // [T, B] or null
  float *c, *rec, *rh;  // LSTM [T+1, B, H]; GRU [T, B, 3H] and (resetAfter=false) [T, B, H]
  const float* gateTable;  // gateRows: gates row (s, b) = gateTable[gateRows[s·B + b]] + gateBias
  const int32_t* gateRows;
  const float* gateBias;  // [G] or null
  const float* recBias;   // GRU resetAfter training: the recurrent bias [G], or null
  // backward
  const float* Ut;
  float *dH, *dGates, *dHIn, *dc, *dRec, *dRh;
  bool lastStepOnly;  // dH's blocks before the last read as zeros (written, not added to)
  // inference (sequenceLast): x set; gates a chunk of steps, rec and rh one step, c and h two
  // blocks of scratch
  const float* x;  // [B, T, D]
  long D;
  bool reverse;
  const float *W, *bias;
  float* out;
};

// One step's blocks: of the training pass, or of inference's scratch.
struct Step {
  float *gates, *rec, *rh;
  const float* rin;  // the recurrent input (after dropout)
  const float *hPrev, *cPrev;
  float *h, *c;
  const uint8_t* mask;
};

// Rows [b0, b1) of C (+)= A·B, A and C row-major with leading dimensions lda and ldc.
void rowsGemm(long b0, long b1, long n, long k, const float* a, long lda, const float* b, long ldb,
              float* c, long ldc, bool beta, float* scratch) {
  const GemmArgs g{false, false, b1 - b0, n, k, a + b0 * lda, lda, b, ldb, c + b0 * ldc, ldc, beta};
  K->gemm(g, 0, b1 - b0, 0, n, scratch);
}

// The cells: forward(step) and backward(step s, dhPrev = dH block s−1 or null, into = where
// dL/dh_{s−1} through U goes, or null at s = 0), each the reference's per-step loop body
// (src/backend/reference/sequence.ts).
struct RnnCell {
  static void forward(const Sequence& q, const Step& t, long b0, long b1, float* scratch) {
    rowsGemm(b0, b1, q.H, q.H, t.rin, q.H, q.U, q.H, t.gates, q.H, true, scratch);
    K->rnnForward(RnnStep{q.act, q.H, t.gates, t.hPrev, t.h, t.mask}, b0, b1);
  }
  static void backward(const Sequence& q, long s, float* dhPrev, float* into, long b0, long b1,
                       float* scratch) {
    const long H = q.H, BH = q.B * H;
    float* dg = q.dGates + s * BH;
    const uint8_t* m = q.mask ? q.mask + s * q.B : nullptr;
    K->rnnBackward(q.act, H, q.gates + s * BH, q.dH + s * BH, dg, dhPrev, m, b0, b1);
    if (into) rowsGemm(b0, b1, H, H, dg, H, q.Ut, H, into, H, true, scratch);
  }
};

struct LstmCell {
  static void forward(const Sequence& q, const Step& t, long b0, long b1, float* scratch) {
    rowsGemm(b0, b1, q.G, q.H, t.rin, q.H, q.U, q.G, t.gates, q.G, true, scratch);
    K->lstmForward({.units = q.H, .gates = t.gates, .cPrev = t.cPrev, .c = t.c, .hPrev = t.hPrev, .h = t.h,
                    .mask = t.mask},
                   b0, b1);
  }
  static void backward(const Sequence& q, long s, float* dhPrev, float* into, long b0, long b1,
                       float* scratch) {
    const long H = q.H, BH = q.B * H, sG = s * q.B * q.G;
    K->lstmBackward({.units = H, .gates = q.gates + sG, .cPrev = q.c + s * BH, .c = q.c + (s + 1) * BH,
                     .dh = q.dH + s * BH, .dc = q.dc, .dGates = q.dGates + sG, .dhPrev = dhPrev,
                     .mask = q.mask ? q.mask + s * q.B : nullptr},
                    b0, b1);
    if (into) rowsGemm(b0, b1, H, q.G, q.dGates + sG, q.G, q.Ut, H, into, H, true, scratch);
  }
};

struct GruCell {
  static void forward(const Sequence& q, const Step& t, long b0, long b1, float* scratch) {
    const long H = q.H, G = q.G;
    if (q.resetAfter) {
      rowsGemm(b0, b1, G, H, t.rin, H, q.U, G, t.rec, G, true, scratch);
    } else {
      rowsGemm(b0, b1, 2 * H, H, t.rin, H, q.U, G, t.rec, G, false, scratch);
      K->gruResetForward(GruStep{false, H, t.gates, t.rec, t.rin, t.rh, nullptr}, b0, b1);
      rowsGemm(b0, b1, H, H, t.rh, H, q.U + 2 * H, G, t.rec + 2 * H, G, false, scratch);
    }
    K->gruForward(GruStep{q.resetAfter, H, t.gates, t.rec, t.hPrev, t.h, t.mask}, b0, b1);
  }
  static void backward(const Sequence& q, long s, float* dhPrev, float* into, long b0, long b1,
                       float* scratch) {
    const long H = q.H, G = q.G, BH = q.B * H, sG = s * q.B * G;
    const float* gates = q.gates + sG;
    float* dg = q.dGates + sG;
    float* dRec = q.resetAfter ? q.dRec + sG : nullptr;
    const uint8_t* m = q.mask ? q.mask + s * q.B : nullptr;
    K->gruBackward(q.resetAfter, H, gates, q.rec + sG, q.h + s * BH, q.dH + s * BH, dg, dRec,
                         dhPrev, m, b0, b1);
    if (q.resetAfter) {
      if (into) rowsGemm(b0, b1, H, G, dRec, G, q.Ut, H, into, H, true, scratch);
      return;
    }
    // The r gradient needs dL/d(r⊙hIn) = dG_h·U_hᵀ first, even at s = 0.
    rowsGemm(b0, b1, H, H, dg + 2 * H, G, q.Ut + 2 * H * H, H, q.dRh, H, false, scratch);
    const float* rin = (q.scale ? q.hIn : q.h) + s * BH;
    K->gruResetBackward(H, gates, rin, q.dRh, dg, into, b0, b1);
    if (into) rowsGemm(b0, b1, H, 2 * H, dg, G, q.Ut, H, into, H, true, scratch);
  }
};

// GRU resetAfter: rows [b0, b1) of a step's rec start as zeros plus the recurrent bias (or none).
void startRec(float* rec, const float* bias, long G, long b0, long b1) {
  for (long i = b0 * G; i < b1 * G; i++) rec[i] = 0.0f;
  if (bias) generic::addRowVector(rec, G, bias, b0, b1);
}

// Step s of the training pass: the blocks of s, and rows [b0, b1) of its dropped recurrent input.
Step trainingStep(const Sequence& q, long s, long b0, long b1) {
  const long BH = q.B * q.H, sG = s * q.B * q.G;
  const auto at = [](auto* p, long off) { return p ? p + off : nullptr; };
  Step t{.gates = q.gates + sG, .rec = at(q.rec, sG), .rh = at(q.rh, s * BH), .rin = q.h + s * BH,
         .hPrev = q.h + s * BH, .cPrev = at(q.c, s * BH), .h = q.h + (s + 1) * BH,
         .c = at(q.c, (s + 1) * BH), .mask = at(q.mask, s * q.B)};
  if (q.gateTable) {
    for (long b = b0; b < b1; b++)
      std::memcpy(t.gates + b * q.G, q.gateTable + (long)q.gateRows[s * q.B + b] * q.G,
                  q.G * sizeof(float));
    if (q.gateBias) generic::addRowVector(t.gates, q.G, q.gateBias, b0, b1);
  }
  if (q.kind == CELL_GRU && q.resetAfter) startRec(t.rec, q.recBias, q.G, b0, b1);
  if (q.scale) {
    generic::multiplyAt(t.rin, q.scale, q.hIn + s * BH, false, b0 * q.H, b1 * q.H);
    t.rin = q.hIn + s * BH;
  }
  return t;
}

// Steps projected per GEMM in inference when the batch is less than one row tile (a single
// review): a GEMM per step would reread W at every step for one row.
constexpr long kInferenceChunk = 32;

// Rows [b0, b1) of the input projection (+ bias) of the n steps from s into blocks 0…n−1 of
// q.gates ([n, B, G]), x read batch-major in place: the values the training path's transpose,
// GEMM and bias give. One step: one GEMM over the rows; several: one GEMM per row over its steps
// (going backwards, A's rows run back in time).
void projectSteps(const Sequence& q, long s, long n, long b0, long b1, float* scratch) {
  const long G = q.G, first = q.reverse ? q.T - 1 - s : s;
  if (n == 1) {
    const GemmArgs xw{false, false, b1 - b0, G, q.D, q.x + (b0 * q.T + first) * q.D, q.T * q.D,
                      q.W, G, q.gates + b0 * G, G, false};
    K->gemm(xw, 0, b1 - b0, 0, G, scratch);
  } else {
    for (long b = b0; b < b1; b++) {
      const GemmArgs xw{false, false, n, G, q.D, q.x + (b * q.T + first) * q.D,
                        q.reverse ? -q.D : q.D, q.W, G, q.gates + b * G, q.B * G, false};
      K->gemm(xw, 0, n, 0, G, scratch);
    }
  }
  if (q.bias)
    for (long r = 0; r < n; r++) generic::addRowVector(q.gates + r * q.B * G, G, q.bias, b0, b1);
}

// Step s of inference: its input projection (a chunk at a time when the batch is less than one
// row tile), the states in blocks s % 2 and (s + 1) % 2.
Step inferenceStep(const Sequence& q, long s, long b0, long b1, float* scratch) {
  const long BH = q.B * q.H, G = q.G;
  const long span = q.B < K->mr ? kInferenceChunk : 1, slot = s % span;
  if (slot == 0) projectSteps(q, s, q.T - s < span ? q.T - s : span, b0, b1, scratch);
  const Step t{.gates = q.gates + slot * q.B * G, .rec = q.rec, .rh = q.rh, .rin = q.h + s % 2 * BH,
               .hPrev = q.h + s % 2 * BH, .cPrev = q.c + s % 2 * BH, .h = q.h + (s + 1) % 2 * BH,
               .c = q.c + (s + 1) % 2 * BH, .mask = q.mask ? q.mask + s * q.B : nullptr};
  if (q.kind == CELL_GRU && q.resetAfter) startRec(q.rec, q.bias ? q.bias + G : nullptr, G, b0, b1);
  return t;
}

template <class Cell>
void forwardRows(Cell, const Sequence& q, long b0, long b1) {
  float* scratch = pool::scratch();
  for (long s = 0; s < q.T; s++) {
    const Step t = q.x ? inferenceStep(q, s, b0, b1, scratch) : trainingStep(q, s, b0, b1);
    Cell::forward(q, t, b0, b1, scratch);
  }
  if (!q.x) return;
  const float* last = q.h + q.T % 2 * q.B * q.H;
  for (long i = b0 * q.H; i < b1 * q.H; i++) q.out[i] = last[i];
}

template <class Cell>
void backwardRows(Cell, const Sequence& q, long b0, long b1) {
  const long H = q.H, BH = q.B * H;
  float* scratch = pool::scratch();
  for (long s = q.T - 1; s >= 0; s--) {
    float* prev = s > 0 ? q.dH + (s - 1) * BH : nullptr;
    float* into = q.scale && prev ? q.dHIn : prev;
    if (q.scale && prev)
      for (long i = b0 * H; i < b1 * H; i++) q.dHIn[i] = 0;
    if (q.lastStepOnly && prev)
      for (long i = b0 * H; i < b1 * H; i++) prev[i] = 0;
    Cell::backward(q, s, prev, into, b0, b1, scratch);
    if (q.scale && prev) generic::multiplyAt(q.dHIn, q.scale, prev, true, b0 * H, b1 * H);
  }
}

// Runs rows(cell, q, lo, hi) with the cell type of qs[0…count) (one cell, one batch size) over
// their batch rows, in blocks of a GEMM tile's height so that every step's tiles are full. With
// two sequences (a Bidirectional layer's two directions), part p takes rows of sequence p % 2,
// and with no more threads than sequences each part is a whole sequence: a thread then runs
// whole blocks of every step, where rows of a block shared with another thread ran 1.3–2x slower
// per row (bench/NOTES.md), and a batch too small to split still gives each thread a layer.
template <class Rows>
void forSequenceRows(const Sequence* qs, int count, double work, Rows rows) {
  const long B = qs[0].B;
  const auto split = [&](auto cell) {
    const int byWork = partsFor(count * ((B + K->mr - 1) / K->mr), work);
    const int parts = count > 1 && byWork >= count && pool::threads() <= count ? count : byWork;
    if (parts < count) {
      const long first = 0;
      for (int i = 0; i < count; i++) rows(cell, qs[i], first, B);
      return;
    }
    pool::parallel(parts, [&](int p) {
      const int i = p % count, share = (parts - i + count - 1) / count;
      const Range r = ::split(B, share, p / count, K->mr);
      if (r.lo < r.hi) rows(cell, qs[i], r.lo, r.hi);
    });
  };
  if (qs[0].kind == CELL_SIMPLE_RNN) split(RnnCell{});
  else if (qs[0].kind == CELL_LSTM) split(LstmCell{});
  else split(GruCell{});
}

// cell (kind, param), batch, steps, units: the first five arguments of every sequence op (from
// `at`, names prefixed by `name`: a second layer's).
Sequence sequenceShape(Call& c, size_t at = 0, const std::string& name = "") {
  const auto arg = [&](const char* field) { return name + field; };
  Sequence q{};
  q.kind = c.choice(at, arg("cell").c_str(), CELL_COUNT);
  if (q.kind == CELL_SIMPLE_RNN)
    q.act = c.choice(at + 1, arg("activation").c_str(), ELEMENTWISE_ACT_COUNT);
  if (q.kind == CELL_GRU) q.resetAfter = c.flag(at + 1, arg("resetAfter").c_str());
  q.B = c.size(at + 2, arg("batch").c_str());
  q.T = c.size(at + 3, arg("steps").c_str());
  q.H = c.size(at + 4, arg("units").c_str());
  q.G = c.product({q.kind == CELL_SIMPLE_RNN ? 1 : q.kind == CELL_LSTM ? 4 : 3, q.H});
  return q;
}

float* seq(Call& c, size_t i, const std::string& name, long blocks, long width) {
  return c.span(c.f32(i, name.c_str()), name.c_str(), 0, c.product({blocks, width}));
}

// A [T, B] mask at argument i, or null.
const uint8_t* stepMask(Call& c, size_t i, const std::string& name, long T, long B) {
  const auto m = c.u8OrNull(i, name.c_str());
  return m ? c.span(m, name.c_str(), 0, c.product({T, B})) : nullptr;
}

// A sequence op over one layer's shape and buffers (`layer` reads `width` arguments from 5), and a
// second layer's shape and buffers after them when given, which must match: rows(cell, q, b0, b1)
// over every row of both.
template <class Layer, class Rows>
napi_value sequenceOp(Call& c, size_t width, Layer layer, Rows rows) {
  Sequence qs[2] = {sequenceShape(c)};
  layer(c, qs[0], 5, "");
  const size_t at = 5 + width;
  const int count = c.arg(at) ? 2 : 1;
  if (count == 2) {
    qs[1] = sequenceShape(c, at, "second.");
    const Sequence& a = qs[0];
    const Sequence& b = qs[1];
    if (a.kind != b.kind || a.act != b.act || a.resetAfter != b.resetAfter || a.B != b.B ||
        a.T != b.T || a.H != b.H)
      c.fail("second.seq must have seq's cell, batch, steps and units");
    layer(c, qs[1], at + 5, "second.");
  }
  const Sequence& q = qs[0];
  if (c.product({q.B, q.H}) == 0) return undefined(c.env);  // no empty loop over many steps
  forSequenceRows(qs, count, count * (double)q.T * q.B * q.G * q.H, rows);
  return undefined(c.env);
}

// One layer of sequenceForward: gates, U, h, hIn, recurrentScale, mask, c, rec, rh,
// gateRows.table, gateRows.rows, gateRows.bias, recurrentBias from `at` (names prefixed by `name`).
void forwardLayer(Call& c, Sequence& q, size_t at, const std::string& name) {
  const long BH = c.product({q.B, q.H}), T = q.T;
  const auto arg = [&](const char* field) { return name + field; };
  q.gates = seq(c, at, arg("gates"), T * q.B, q.G);
  q.U = seq(c, at + 1, arg("U"), q.H, q.G);
  q.h = seq(c, at + 2, arg("h"), T + 1, BH);
  if (c.f32OrNull(at + 4, arg("recurrentScale").c_str())) {
    q.scale = seq(c, at + 4, arg("recurrentScale"), 1, BH);
    q.hIn = seq(c, at + 3, arg("hIn"), T, BH);
  }
  q.mask = stepMask(c, at + 5, arg("mask"), T, q.B);
  if (q.kind == CELL_LSTM) q.c = seq(c, at + 6, arg("c"), T + 1, BH);
  if (q.kind == CELL_GRU) q.rec = seq(c, at + 7, arg("rec"), T * q.B, q.G);
  if (q.kind == CELL_GRU && !q.resetAfter) q.rh = seq(c, at + 8, arg("rh"), T, BH);
  if (const auto table = c.f32OrNull(at + 9, arg("gateRows.table").c_str())) {
    const auto rows = c.i32(at + 10, arg("gateRows.rows").c_str());
    c.span(rows, arg("gateRows.rows").c_str(), 0, c.product({T, q.B}));
    c.ids(rows, q.G == 0 ? 0 : table.len / q.G);
    q.gateTable = table.p;
    q.gateRows = rows.p;
    if (c.f32OrNull(at + 11, arg("gateRows.bias").c_str()))
      q.gateBias = seq(c, at + 11, arg("gateRows.bias"), 1, q.G);
  }
  if (q.kind == CELL_GRU && q.resetAfter && c.f32OrNull(at + 12, arg("recurrentBias").c_str()))
    q.recBias = seq(c, at + 12, arg("recurrentBias"), 1, q.G);
}

// sequenceForward(kind, param, batch, steps, units, <layer> [, the second's five, <layer>]): each
// layer's 13 arguments as forwardLayer reads them.
napi_value sequenceForward(Call& c) {
  return sequenceOp(c, 13, forwardLayer, [](auto cell, auto&... a) { forwardRows(cell, a...); });
}

// One layer of sequenceBackward: gates, h, hIn, Ut, dH, dGates, dHIn, recurrentScale, mask, c, dc,
// rec, dRec, dRh, lastStepOnly from `at` (names prefixed by `name`).
void backwardLayer(Call& c, Sequence& q, size_t at, const std::string& name) {
  const long BH = c.product({q.B, q.H}), T = q.T;
  const auto arg = [&](const char* field) { return name + field; };
  q.gates = seq(c, at, arg("gates"), T * q.B, q.G);
  q.h = seq(c, at + 1, arg("h"), T + 1, BH);
  q.Ut = seq(c, at + 3, arg("Ut"), q.G, q.H);
  q.dH = seq(c, at + 4, arg("dH"), T, BH);
  q.dGates = seq(c, at + 5, arg("dGates"), T * q.B, q.G);
  if (c.f32OrNull(at + 7, arg("recurrentScale").c_str())) {
    q.scale = seq(c, at + 7, arg("recurrentScale"), 1, BH);
    q.dHIn = seq(c, at + 6, arg("dHIn"), 1, BH);
    q.hIn = seq(c, at + 2, arg("hIn"), T, BH);
  }
  q.mask = stepMask(c, at + 8, arg("mask"), T, q.B);
  if (q.kind == CELL_LSTM) {
    q.c = seq(c, at + 9, arg("c"), T + 1, BH);
    q.dc = seq(c, at + 10, arg("dc"), 1, BH);
  }
  if (q.kind == CELL_GRU) q.rec = seq(c, at + 11, arg("rec"), T * q.B, q.G);
  if (q.kind == CELL_GRU && q.resetAfter) q.dRec = seq(c, at + 12, arg("dRec"), T * q.B, q.G);
  if (q.kind == CELL_GRU && !q.resetAfter) q.dRh = seq(c, at + 13, arg("dRh"), 1, BH);
  q.lastStepOnly = c.flag(at + 14, arg("lastStepOnly").c_str());
}

// sequenceBackward(kind, param, batch, steps, units, <layer> [, the second's five, <layer>]): each
// layer's 15 arguments as backwardLayer reads them.
napi_value sequenceBackward(Call& c) {
  return sequenceOp(c, 15, backwardLayer, [](auto cell, auto&... a) { backwardRows(cell, a...); });
}

// One layer of sequenceLast: its arguments reverse, W, bias, U, mask, out from `at` (names
// prefixed by `name`), over q's shape and x, and its scratch: no pass is kept for backward, so each
// thread runs its rows' input projection step by step next to the recurrence and keeps one
// step's gates and two blocks of states (instead of a [T, B, G·H] projection written and reread,
// and [T+1, B, H] states): the same bits.
void lastLayer(Call& c, Sequence& q, size_t at, const std::string& name, std::vector<float>& scratch) {
  const long BH = c.product({q.B, q.H}), G = q.G;
  const auto arg = [&](const char* field) { return name + field; };
  q.reverse = c.flag(at, arg("reverse").c_str());
  q.W = seq(c, at + 1, arg("W"), q.D, G);
  q.bias = nullptr;
  if (c.f32OrNull(at + 2, arg("bias").c_str()))
    q.bias = seq(c, at + 2, arg("bias"), q.kind == CELL_GRU && q.resetAfter ? 2 : 1, G);
  q.U = seq(c, at + 3, arg("U"), q.H, G);
  q.mask = stepMask(c, at + 4, arg("mask"), q.T, q.B);
  q.out = seq(c, at + 5, arg("out"), 1, BH);
  // Chunks when the batch is less than one row tile (a single review).
  const long chunk = q.B >= K->mr ? 1 : q.T < kInferenceChunk ? q.T : kInferenceChunk;
  scratch.assign(c.product({chunk + 1, q.B, G}) + 5 * BH, 0.0f);  // zeroed: c, h start at 0
  q.gates = scratch.data();
  q.rec = q.gates + chunk * q.B * G;
  q.rh = q.rec + q.B * G;
  q.c = q.rh + BH;
  q.h = q.c + 2 * BH;
}

// sequenceLast(kind, param, batch, steps, units, inputDim, x, reverse, W, bias, U, mask, out
// [, second.reverse, second.W, second.bias, second.U, second.mask, second.out]): one layer, or two
// over the same x (Bidirectional), each thread taking rows of one of them.
napi_value sequenceLast(Call& c) {
  Sequence q = sequenceShape(c);
  q.D = c.size(5, "inputDim");
  q.x = seq(c, 6, "x", c.product({q.B, q.T}), q.D);
  const int count = c.arg(13) ? 2 : 1;
  Sequence qs[2] = {q, q};
  std::vector<float> scratch[2];
  lastLayer(c, qs[0], 7, "", scratch[0]);
  if (count == 2) lastLayer(c, qs[1], 13, "second.", scratch[1]);
  if (c.product({q.B, q.H}) == 0) return undefined(c.env);
  forSequenceRows(qs, count, count * (double)q.T * q.B * q.G * (q.D + q.H),
                  [](auto cell, auto&... a) { forwardRows(cell, a...); });
  return undefined(c.env);
}

}  // namespace

extern const OpEntry kRecurrentOps[] = {
    {"sequenceLast", sequenceLast},
    {"sequenceForward", sequenceForward},
    {"sequenceBackward", sequenceBackward},
    {"transposeSequence", transposeSequence},
    {nullptr, nullptr},
};
