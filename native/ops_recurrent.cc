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
    Cell::backward(q, s, prev, into, b0, b1, scratch);
    if (q.scale && prev) generic::multiplyAt(q.dHIn, q.scale, prev, true, b0 * H, b1 * H);
  }
}

// Runs rows(cell, q, lo, hi) with the cell type of qs[0…count) (one cell, one batch size) over
// their batch rows, in blocks of a GEMM tile's height so that every step's tiles are full. With
// two sequences (sequenceLast's two layers), part p takes rows of sequence p % 2: a batch too
// small to split still gives each thread a layer.
template <class Rows>
void forSequenceRows(const Sequence* qs, int count, double work, Rows rows) {
  const long B = qs[0].B;
  const auto split = [&](auto cell) {
    const int parts = partsFor(count * ((B + K->mr - 1) / K->mr), work);
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

// cell (kind, param), batch, steps, units: the first five arguments of every sequence op.
Sequence sequenceShape(Call& c) {
  Sequence q{};
  q.kind = c.choice(0, "cell", CELL_COUNT);
  if (q.kind == CELL_SIMPLE_RNN) q.act = c.choice(1, "activation", ELEMENTWISE_ACT_COUNT);
  if (q.kind == CELL_GRU) q.resetAfter = c.flag(1, "resetAfter");
  q.B = c.size(2, "batch");
  q.T = c.size(3, "steps");
  q.H = c.size(4, "units");
  q.G = c.product({q.kind == CELL_SIMPLE_RNN ? 1 : q.kind == CELL_LSTM ? 4 : 3, q.H});
  return q;
}

float* seq(Call& c, size_t i, const char* name, long blocks, long width) {
  return c.span(c.f32(i, name), name, 0, c.product({blocks, width}));
}

// sequenceForward(kind, param, batch, steps, units, gates, U, h, hIn, recurrentScale, mask, c,
// rec, rh, gateRows.table, gateRows.rows, gateRows.bias, recurrentBias)
napi_value sequenceForward(Call& c) {
  Sequence q = sequenceShape(c);
  const long BH = c.product({q.B, q.H}), T = q.T;
  q.gates = seq(c, 5, "gates", T * q.B, q.G);
  q.U = seq(c, 6, "U", q.H, q.G);
  q.h = seq(c, 7, "h", T + 1, BH);
  if (c.f32OrNull(9, "recurrentScale")) {
    q.scale = seq(c, 9, "recurrentScale", 1, BH);
    q.hIn = seq(c, 8, "hIn", T, BH);
  }
  const auto m = c.u8OrNull(10, "mask");
  q.mask = m ? c.span(m, "mask", 0, c.product({T, q.B})) : nullptr;
  if (q.kind == CELL_LSTM) q.c = seq(c, 11, "c", T + 1, BH);
  if (q.kind == CELL_GRU) q.rec = seq(c, 12, "rec", T * q.B, q.G);
  if (q.kind == CELL_GRU && !q.resetAfter) q.rh = seq(c, 13, "rh", T, BH);
  if (const auto table = c.f32OrNull(14, "gateRows.table")) {
    const auto rows = c.i32(15, "gateRows.rows");
    c.span(rows, "gateRows.rows", 0, c.product({T, q.B}));
    c.ids(rows, q.G == 0 ? 0 : table.len / q.G);
    q.gateTable = table.p;
    q.gateRows = rows.p;
    if (c.f32OrNull(16, "gateRows.bias")) q.gateBias = seq(c, 16, "gateRows.bias", 1, q.G);
  }
  if (q.kind == CELL_GRU && q.resetAfter && c.f32OrNull(17, "recurrentBias"))
    q.recBias = seq(c, 17, "recurrentBias", 1, q.G);
  if (BH == 0) return undefined(c.env);  // no empty loop over a huge number of steps
  forSequenceRows(&q, 1, (double)T * BH * q.G, [](auto cell, auto&... a) { forwardRows(cell, a...); });
  return undefined(c.env);
}

// sequenceBackward(kind, param, batch, steps, units, gates, h, hIn, Ut, dH, dGates, dHIn,
// recurrentScale, mask, c, dc, rec, dRec, dRh)
napi_value sequenceBackward(Call& c) {
  Sequence q = sequenceShape(c);
  const long BH = c.product({q.B, q.H}), T = q.T;
  q.gates = seq(c, 5, "gates", T * q.B, q.G);
  q.h = seq(c, 6, "h", T + 1, BH);
  q.Ut = seq(c, 8, "Ut", q.G, q.H);
  q.dH = seq(c, 9, "dH", T, BH);
  q.dGates = seq(c, 10, "dGates", T * q.B, q.G);
  if (c.f32OrNull(12, "recurrentScale")) {
    q.scale = seq(c, 12, "recurrentScale", 1, BH);
    q.dHIn = seq(c, 11, "dHIn", 1, BH);
    q.hIn = seq(c, 7, "hIn", T, BH);
  }
  const auto m = c.u8OrNull(13, "mask");
  q.mask = m ? c.span(m, "mask", 0, c.product({T, q.B})) : nullptr;
  if (q.kind == CELL_LSTM) {
    q.c = seq(c, 14, "c", T + 1, BH);
    q.dc = seq(c, 15, "dc", 1, BH);
  }
  if (q.kind == CELL_GRU) q.rec = seq(c, 16, "rec", T * q.B, q.G);
  if (q.kind == CELL_GRU && q.resetAfter) q.dRec = seq(c, 17, "dRec", T * q.B, q.G);
  if (q.kind == CELL_GRU && !q.resetAfter) q.dRh = seq(c, 18, "dRh", 1, BH);
  if (BH == 0) return undefined(c.env);
  forSequenceRows(&q, 1, (double)T * BH * q.G, [](auto cell, auto&... a) { backwardRows(cell, a...); });
  return undefined(c.env);
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
  q.W = seq(c, at + 1, arg("W").c_str(), q.D, G);
  q.bias = nullptr;
  if (c.f32OrNull(at + 2, arg("bias").c_str()))
    q.bias = seq(c, at + 2, arg("bias").c_str(), q.kind == CELL_GRU && q.resetAfter ? 2 : 1, G);
  q.U = seq(c, at + 3, arg("U").c_str(), q.H, G);
  const auto m = c.u8OrNull(at + 4, arg("mask").c_str());
  q.mask = m ? c.span(m, arg("mask").c_str(), 0, c.product({q.T, q.B})) : nullptr;
  q.out = seq(c, at + 5, arg("out").c_str(), 1, BH);
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
