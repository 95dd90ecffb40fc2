{
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++20", "-fPIC", "-fexceptions", "-ffp-contract=off", "-fno-math-errno"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-O2", "-O0"],
    "cflags!": ["-O2", "-O0"]
  },
  "targets": [
    {
      "target_name": "gated_avx512",
      "type": "static_library",
      "sources": ["native/isa_avx512.cc"],
      "cflags_cc": ["-mavx512f", "-mavx512vl", "-mavx2", "-mfma"]
    },
    {
      "target_name": "gated_avx2",
      "type": "static_library",
      "sources": ["native/isa_avx2.cc"],
      "cflags_cc": ["-mavx2", "-mfma"]
    },
    {
      "target_name": "gated_native",
      "dependencies": ["gated_avx512", "gated_avx2"],
      "sources": [
        "native/addon.cc",
        "native/call.cc",
        "native/generic.cc",
        "native/isa_baseline.cc",
        "native/ops_conv_optim.cc",
        "native/ops_core.cc",
        "native/ops_recurrent.cc",
        "native/pool.cc"
      ]
    }
  ]
}
