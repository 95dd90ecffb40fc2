// RecurrentOps (src/backend/recurrent-ops.ts): sequence transposes and the fused cell kernels,
// split between threads by batch rows (rows are independent within a step).
#include <vector>

#include "generic.h"
#include "ops.h"

namespace {

// Per-step cell work is small (B·H values, a few transcendental functions each).
template <class F>
void forRows(long batch, long units, F&& f) {
  if (batch == 0 || units == 0) return;  // no empty loop over a huge batch
  forRanges(batch, (double)batch * units * 16, f);
}

// The [batch] mask slice of this step, or null.
const uint8_t* stepMask(Call& c, size_t i, long batch) {
  const auto m = c.u8OrNull(i, "mask");
  return m ? c.span(m, "mask", c.offset(i + 1, "maskOffset"), batch) : nullptr;
}

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

napi_value multiplyAt(Call& c) {
  const long n = c.size(0, "n");
  const float* a = c.span(c.f32(1, "a"), "a", c.offset(2, "aOffset"), n);
  const float* b = c.span(c.f32(3, "b"), "b", c.offset(4, "bOffset"), n);
  float* out = c.span(c.f32(5, "out"), "out", c.offset(6, "outOffset"), n);
  const bool beta = c.flag(7, "beta");
  forRanges(n, n, [&](long lo, long hi) { generic::multiplyAt(a, b, out, beta, lo, hi); });
  return undefined(c.env);
}

napi_value rnnCellForward(Call& c) {
  RnnStep s;
  s.activation = c.choice(0, "activation", 4);
  const long B = c.size(1, "batch"), H = s.units = c.size(2, "units");
  s.gates = c.span(c.f32(3, "gates"), "gates", c.offset(4, "gatesOffset"), c.product({B, H}));
  s.hPrev = c.span(c.f32(5, "hPrev"), "hPrev", c.offset(6, "hPrevOffset"), c.product({B, H}));
  s.h = c.span(c.f32(7, "h"), "h", c.offset(8, "hOffset"), c.product({B, H}));
  s.mask = stepMask(c, 9, B);
  forRows(B, H, [&](long lo, long hi) { K->rnnForward(s, lo, hi); });
  return undefined(c.env);
}

napi_value rnnCellBackward(Call& c) {
  const int act = c.choice(0, "activation", 4);
  const long B = c.size(1, "batch"), H = c.size(2, "units");
  const float* gates = c.span(c.f32(3, "gates"), "gates", c.offset(4, "gatesOffset"), c.product({B, H}));
  const float* dh = c.span(c.f32(5, "dh"), "dh", c.offset(6, "dhOffset"), c.product({B, H}));
  float* dG = c.span(c.f32(7, "dGates"), "dGates", c.offset(8, "dGatesOffset"), c.product({B, H}));
  const auto dp = c.f32OrNull(9, "dhPrev");
  float* dhPrev = dp ? c.span(dp, "dhPrev", c.offset(10, "dhPrevOffset"), c.product({B, H})) : nullptr;
  const uint8_t* mask = stepMask(c, 11, B);
  forRows(B, H, [&](long lo, long hi) {
    generic::rnnBackward(act, H, gates, dh, dG, dhPrev, mask, lo, hi);
  });
  return undefined(c.env);
}

napi_value lstmCellForward(Call& c) {
  LstmStep s{};
  const long B = c.size(0, "batch"), H = s.units = c.size(1, "units");
  s.gates = c.span(c.f32(2, "gates"), "gates", c.offset(3, "gatesOffset"), c.product({B, 4, H}));
  s.cPrev = c.span(c.f32(4, "cPrev"), "cPrev", c.offset(5, "cPrevOffset"), c.product({B, H}));
  s.c = c.span(c.f32(6, "c"), "c", c.offset(7, "cOffset"), c.product({B, H}));
  s.hPrev = c.span(c.f32(8, "hPrev"), "hPrev", c.offset(9, "hPrevOffset"), c.product({B, H}));
  s.h = c.span(c.f32(10, "h"), "h", c.offset(11, "hOffset"), c.product({B, H}));
  s.mask = stepMask(c, 12, B);
  forRows(B, H, [&](long lo, long hi) { K->lstmForward(s, lo, hi); });
  return undefined(c.env);
}

napi_value lstmCellBackward(Call& c) {
  LstmStep s{};
  const long B = c.size(0, "batch"), H = s.units = c.size(1, "units");
  s.gates = c.span(c.f32(2, "gates"), "gates", c.offset(3, "gatesOffset"), c.product({B, 4, H}));
  s.cPrev = c.span(c.f32(4, "cPrev"), "cPrev", c.offset(5, "cPrevOffset"), c.product({B, H}));
  s.c = c.span(c.f32(6, "c"), "c", c.offset(7, "cOffset"), c.product({B, H}));
  s.dh = c.span(c.f32(8, "dh"), "dh", c.offset(9, "dhOffset"), c.product({B, H}));
  s.dc = c.span(c.f32(10, "dc"), "dc", c.offset(11, "dcOffset"), c.product({B, H}));
  s.dGates = c.span(c.f32(12, "dGates"), "dGates", c.offset(13, "dGatesOffset"), c.product({B, 4, H}));
  const auto dp = c.f32OrNull(14, "dhPrev");
  s.dhPrev = dp ? c.span(dp, "dhPrev", c.offset(15, "dhPrevOffset"), c.product({B, H})) : nullptr;
  s.mask = stepMask(c, 16, B);
  forRows(B, H, [&](long lo, long hi) { K->lstmBackward(s, lo, hi); });
  return undefined(c.env);
}

napi_value gruCellForward(Call& c) {
  GruStep s;
  s.resetAfter = c.flag(0, "resetAfter");
  const long B = c.size(1, "batch"), H = s.units = c.size(2, "units");
  s.gates = c.span(c.f32(3, "gates"), "gates", c.offset(4, "gatesOffset"), c.product({B, 3, H}));
  s.rec = c.span(c.f32(5, "rec"), "rec", c.offset(6, "recOffset"), c.product({B, 3, H}));
  s.hPrev = c.span(c.f32(7, "hPrev"), "hPrev", c.offset(8, "hPrevOffset"), c.product({B, H}));
  s.h = c.span(c.f32(9, "h"), "h", c.offset(10, "hOffset"), c.product({B, H}));
  s.mask = stepMask(c, 11, B);
  forRows(B, H, [&](long lo, long hi) { K->gruForward(s, lo, hi); });
  return undefined(c.env);
}

napi_value gruResetForward(Call& c) {
  GruStep s{};
  const long B = c.size(0, "batch"), H = s.units = c.size(1, "units");
  s.gates = c.span(c.f32(2, "gates"), "gates", c.offset(3, "gatesOffset"), c.product({B, 3, H}));
  s.rec = c.span(c.f32(4, "rec"), "rec", c.offset(5, "recOffset"), c.product({B, 3, H}));
  s.hPrev = c.span(c.f32(6, "hPrev"), "hPrev", c.offset(7, "hPrevOffset"), c.product({B, H}));
  s.h = c.span(c.f32(8, "rh"), "rh", c.offset(9, "rhOffset"), c.product({B, H}));
  forRows(B, H, [&](long lo, long hi) { K->gruResetForward(s, lo, hi); });
  return undefined(c.env);
}

napi_value gruCellBackward(Call& c) {
  const bool resetAfter = c.flag(0, "resetAfter");
  const long B = c.size(1, "batch"), H = c.size(2, "units");
  const float* gates = c.span(c.f32(3, "gates"), "gates", c.offset(4, "gatesOffset"), c.product({B, 3, H}));
  const float* rec = c.span(c.f32(5, "rec"), "rec", c.offset(6, "recOffset"), c.product({B, 3, H}));
  const float* hPrev = c.span(c.f32(7, "hPrev"), "hPrev", c.offset(8, "hPrevOffset"), c.product({B, H}));
  const float* dh = c.span(c.f32(9, "dh"), "dh", c.offset(10, "dhOffset"), c.product({B, H}));
  float* dG = c.span(c.f32(11, "dGates"), "dGates", c.offset(12, "dGatesOffset"), c.product({B, 3, H}));
  const auto dr = c.f32OrNull(13, "dRec");
  if (resetAfter && !dr) c.fail("resetAfter needs dRec");
  float* dRec = dr ? c.span(dr, "dRec", c.offset(14, "dRecOffset"), c.product({B, 3, H})) : nullptr;
  const auto dp = c.f32OrNull(15, "dhPrev");
  float* dhPrev = dp ? c.span(dp, "dhPrev", c.offset(16, "dhPrevOffset"), c.product({B, H})) : nullptr;
  const uint8_t* mask = stepMask(c, 17, B);
  forRows(B, H, [&](long lo, long hi) {
    generic::gruBackward(resetAfter, H, gates, rec, hPrev, dh, dG, resetAfter ? dRec : nullptr,
                         dhPrev, mask, lo, hi);
  });
  return undefined(c.env);
}

napi_value gruResetBackward(Call& c) {
  const long B = c.size(0, "batch"), H = c.size(1, "units");
  const float* gates = c.span(c.f32(2, "gates"), "gates", c.offset(3, "gatesOffset"), c.product({B, 3, H}));
  const float* hPrev = c.span(c.f32(4, "hPrev"), "hPrev", c.offset(5, "hPrevOffset"), c.product({B, H}));
  const float* dRh = c.span(c.f32(6, "dRh"), "dRh", c.offset(7, "dRhOffset"), c.product({B, H}));
  float* dG = c.span(c.f32(8, "dGates"), "dGates", c.offset(9, "dGatesOffset"), c.product({B, 3, H}));
  const auto dp = c.f32OrNull(10, "dhPrev");
  float* dhPrev = dp ? c.span(dp, "dhPrev", c.offset(11, "dhPrevOffset"), c.product({B, H})) : nullptr;
  forRows(B, H, [&](long lo, long hi) {
    generic::gruResetBackward(H, gates, hPrev, dRh, dG, dhPrev, lo, hi);
  });
  return undefined(c.env);
}

// The whole LSTM recurrence of a batch (RecurrentOps.lstmSequenceForward/Backward). Threads take
// whole batch rows for all steps: rows are independent through time, so there is one handshake
// per sequence instead of one per step, and each row is computed exactly as by the per-step ops.
struct LstmSequence {
  long B, T, H;
  float* gates;
  float* c;
  const uint8_t* mask;  // [T, B] or null
  const float* scale;   // recurrent dropout [B, H] or null
  // forward
  const float* U;
  float* h;
  float* hIn;  // [T, B, H] when scale
  // backward
  const float* Ut;
  float* dH;
  float* dc;
  float* dGates;
  float* dHIn;  // [B, H] when scale
};

void lstmForwardRows(const LstmSequence& q, long b0, long b1) {
  const long B = q.B, H = q.H, G = 4 * H, BH = B * H;
  float* scratch = pool::scratch();
  for (long s = 0; s < q.T; s++) {
    const float* rin = q.h + s * BH;
    if (q.scale) {
      float* hin = q.hIn + s * BH;
      generic::multiplyAt(rin, q.scale, hin, false, b0 * H, b1 * H);
      rin = hin;
    }
    const GemmArgs g{false, false, b1 - b0, G, H, rin + b0 * H, H, q.U, G, q.gates + (s * B + b0) * G, G, true};
    K->gemm(g, 0, b1 - b0, 0, G, scratch);
    LstmStep st{};
    st.units = H;
    st.gates = q.gates + s * B * G;
    st.cPrev = q.c + s * BH;
    st.c = q.c + (s + 1) * BH;
    st.hPrev = q.h + s * BH;
    st.h = q.h + (s + 1) * BH;
    st.mask = q.mask ? q.mask + s * B : nullptr;
    K->lstmForward(st, b0, b1);
  }
}

void lstmBackwardRows(const LstmSequence& q, long b0, long b1) {
  const long B = q.B, H = q.H, G = 4 * H, BH = B * H;
  float* scratch = pool::scratch();
  for (long s = q.T - 1; s >= 0; s--) {
    LstmStep st{};
    st.units = H;
    st.gates = q.gates + s * B * G;
    st.cPrev = q.c + s * BH;
    st.c = q.c + (s + 1) * BH;
    st.dh = q.dH + s * BH;
    st.dc = q.dc;
    st.dGates = q.dGates + s * B * G;
    st.dhPrev = s > 0 ? q.dH + (s - 1) * BH : nullptr;
    st.mask = q.mask ? q.mask + s * B : nullptr;
    K->lstmBackward(st, b0, b1);
    if (s == 0) break;
    // dL/dh_{s−1} += dG_s·Uᵀ, through the dropout mask when there is one.
    float* into = q.scale ? q.dHIn : q.dH + (s - 1) * BH;
    if (q.scale)
      for (long i = b0 * H; i < b1 * H; i++) into[i] = 0;
    const GemmArgs g{false, false, b1 - b0, H, G, st.dGates + b0 * G, G, q.Ut, H, into + b0 * H, H, true};
    K->gemm(g, 0, b1 - b0, 0, H, scratch);
    if (q.scale) generic::multiplyAt(q.dHIn, q.scale, q.dH + (s - 1) * BH, true, b0 * H, b1 * H);
  }
}

// Inference of the last state (RecurrentOps.lstmSequenceLast): no pass is kept for backward, so
// each thread runs its rows' input projection step by step next to the recurrence, reading x
// batch-major in place, and keeps only the current step's gates and two blocks of c and h
// (instead of a [T, B, 4H] projection written and reread, and [T+1, B, H] states). Every value
// is computed by the operations of the training path in the same order: the same bits.
struct LstmLast {
  long B, T, H, D;
  const float* x;  // [B, T, D]
  bool reverse;
  const float* W;
  const float* bias;  // [4H] or null
  const float* U;
  const uint8_t* mask;  // [T, B] in processing order, or null
  float* gates;         // [B, 4H] scratch: one step
  float* c;             // [2, B, H] scratch: blocks s % 2 and (s + 1) % 2
  float* h;             // [2, B, H] scratch
  float* out;           // [B, H]
};

void lstmLastRows(const LstmLast& q, long b0, long b1) {
  const long B = q.B, H = q.H, G = 4 * H, BH = B * H, rows = b1 - b0;
  float* scratch = pool::scratch();
  for (long s = 0; s < q.T; s++) {
    const long t = q.reverse ? q.T - 1 - s : s;
    float* g = q.gates + b0 * G;
    const GemmArgs xw{false, false, rows, G, q.D, q.x + (b0 * q.T + t) * q.D, q.T * q.D, q.W, G, g, G, false};
    K->gemm(xw, 0, rows, 0, G, scratch);
    if (q.bias) generic::addRowVector(q.gates, G, q.bias, b0, b1);
    LstmStep st{};
    st.units = H;
    st.gates = q.gates;
    st.cPrev = q.c + s % 2 * BH;
    st.c = q.c + (s + 1) % 2 * BH;
    st.hPrev = q.h + s % 2 * BH;
    st.h = q.h + (s + 1) % 2 * BH;
    st.mask = q.mask ? q.mask + s * B : nullptr;
    const GemmArgs hu{false, false, rows, G, H, st.hPrev + b0 * H, H, q.U, G, g, G, true};
    K->gemm(hu, 0, rows, 0, G, scratch);
    K->lstmForward(st, b0, b1);
  }
  const float* last = q.h + q.T % 2 * BH;
  for (long i = b0 * H; i < b1 * H; i++) q.out[i] = last[i];
}

template <class F>
void forSequenceRows(const LstmSequence& q, F rows) {
  // Row blocks of a GEMM tile's height keep every step's tiles full.
  forRanges(q.B, (double)q.T * q.B * 4 * q.H * q.H, [&](long lo, long hi) { rows(q, lo, hi); },
            K->mr);
}

LstmSequence sequenceShape(Call& c) {
  LstmSequence q{};
  q.B = c.size(0, "batch");
  q.T = c.size(1, "steps");
  q.H = c.size(2, "units");
  return q;
}

// lstmSequenceForward(batch, steps, units, gates, U, c, h, hIn, recurrentScale, mask)
napi_value lstmSequenceForward(Call& c) {
  LstmSequence q = sequenceShape(c);
  const long BH = c.product({q.B, q.H});
  q.gates = c.span(c.f32(3, "gates"), "gates", 0, c.product({q.T, q.B, 4, q.H}));
  q.U = c.span(c.f32(4, "U"), "U", 0, c.product({q.H, 4, q.H}));
  q.c = c.span(c.f32(5, "c"), "c", 0, c.product({q.T + 1, q.B, q.H}));
  q.h = c.span(c.f32(6, "h"), "h", 0, c.product({q.T + 1, q.B, q.H}));
  const auto sc = c.f32OrNull(8, "recurrentScale");
  if (sc) {
    q.scale = c.span(sc, "recurrentScale", 0, BH);
    q.hIn = c.span(c.f32(7, "hIn"), "hIn", 0, c.product({q.T, q.B, q.H}));
  }
  const auto m = c.u8OrNull(9, "mask");
  q.mask = m ? c.span(m, "mask", 0, c.product({q.T, q.B})) : nullptr;
  if (BH == 0) return undefined(c.env);  // no empty loop over a huge number of steps
  forSequenceRows(q, lstmForwardRows);
  return undefined(c.env);
}

// lstmSequenceBackward(batch, steps, units, gates, c, Ut, dH, dc, dGates, dHIn, recurrentScale,
// mask)
napi_value lstmSequenceBackward(Call& c) {
  LstmSequence q = sequenceShape(c);
  const long BH = c.product({q.B, q.H});
  q.gates = c.span(c.f32(3, "gates"), "gates", 0, c.product({q.T, q.B, 4, q.H}));
  q.c = c.span(c.f32(4, "c"), "c", 0, c.product({q.T + 1, q.B, q.H}));
  q.Ut = c.span(c.f32(5, "Ut"), "Ut", 0, c.product({4, q.H, q.H}));
  q.dH = c.span(c.f32(6, "dH"), "dH", 0, c.product({q.T, q.B, q.H}));
  q.dc = c.span(c.f32(7, "dc"), "dc", 0, BH);
  q.dGates = c.span(c.f32(8, "dGates"), "dGates", 0, c.product({q.T, q.B, 4, q.H}));
  const auto sc = c.f32OrNull(10, "recurrentScale");
  if (sc) {
    q.scale = c.span(sc, "recurrentScale", 0, BH);
    q.dHIn = c.span(c.f32(9, "dHIn"), "dHIn", 0, BH);
  }
  const auto m = c.u8OrNull(11, "mask");
  q.mask = m ? c.span(m, "mask", 0, c.product({q.T, q.B})) : nullptr;
  if (BH == 0) return undefined(c.env);
  forSequenceRows(q, lstmBackwardRows);
  return undefined(c.env);
}

// lstmSequenceLast(batch, steps, units, inputDim, x, reverse, W, bias, U, mask, out)
napi_value lstmSequenceLast(Call& c) {
  LstmLast q{};
  q.B = c.size(0, "batch");
  q.T = c.size(1, "steps");
  q.H = c.size(2, "units");
  q.D = c.size(3, "inputDim");
  const long G = c.product({4, q.H}), BH = c.product({q.B, q.H});
  q.x = c.span(c.f32(4, "x"), "x", 0, c.product({q.B, q.T, q.D}));
  q.reverse = c.flag(5, "reverse");
  q.W = c.span(c.f32(6, "W"), "W", 0, c.product({q.D, G}));
  const auto bias = c.f32OrNull(7, "bias");
  q.bias = bias ? c.span(bias, "bias", 0, G) : nullptr;
  q.U = c.span(c.f32(8, "U"), "U", 0, c.product({q.H, G}));
  const auto m = c.u8OrNull(9, "mask");
  q.mask = m ? c.span(m, "mask", 0, c.product({q.T, q.B})) : nullptr;
  q.out = c.span(c.f32(10, "out"), "out", 0, BH);
  if (BH == 0) return undefined(c.env);
  std::vector<float> scratch(q.B * G + 4 * BH);  // zeroed: c and h start at 0
  q.gates = scratch.data();
  q.c = q.gates + q.B * G;
  q.h = q.c + 2 * BH;
  forRanges(q.B, (double)q.T * q.B * G * (q.D + q.H), [&](long lo, long hi) { lstmLastRows(q, lo, hi); },
            K->mr);
  return undefined(c.env);
}

}  // namespace

extern const OpEntry kRecurrentOps[] = {
    {"lstmSequenceLast", lstmSequenceLast},
    {"lstmSequenceForward", lstmSequenceForward},
    {"lstmSequenceBackward", lstmSequenceBackward},
    {"transposeSequence", transposeSequence},
    {"multiplyAt", multiplyAt},
    {"rnnCellForward", rnnCellForward},
    {"rnnCellBackward", rnnCellBackward},
    {"lstmCellForward", lstmCellForward},
    {"lstmCellBackward", lstmCellBackward},
    {"gruCellForward", gruCellForward},
    {"gruResetForward", gruResetForward},
    {"gruCellBackward", gruCellBackward},
    {"gruResetBackward", gruResetBackward},
    {nullptr, nullptr},
};
