/** gated: sequence models in TypeScript with a Keras-like API. */
export { Tensor, type FloatArray, type Shape, type SequenceMask } from './tensor/tensor.js';
export { Rng } from './random/rng.js';
export type { Backend } from './backend/backend.js';
export { matrix, type MatrixView } from './backend/core-ops.js';
export type { GateRows, SequenceCell, SequenceLastLayer } from './backend/recurrent-ops.js';
export { getBackend, setBackend, createBackend, BACKEND_NAMES } from './backend/registry.js';
export { createReferenceBackend } from './backend/reference/index.js';
export * as layers from './layers/index.js';
export { Layer, type Param, type ForwardContext, type LayerConfig } from './layers/layer.js';
export { layerFromConfig } from './layers/registry.js';
export {
  Sequential,
  type CompileOptions,
  type FitOptions,
  type History,
  type EpochRecord,
  type FitState,
  type EpochProgress,
  TrainingInterrupted,
  NonFiniteLossError,
  ResumeStateError,
} from './models/sequential.js';
export type {
  Callback,
  Logs,
  TrainInfo,
  StatefulCallback,
  CallbackState,
} from './models/callbacks.js';
export * as callbacks from './models/callbacks/index.js';
export { ProgressLogger, type ProgressSink, type Verbosity } from './models/progbar.js';
export { FitHistory } from './models/history.js';
export { getLoss, type Loss } from './losses/index.js';
export { getMetric, type Metric } from './metrics/index.js';
export { Adam, RMSprop, SGD, getOptimizer, type Optimizer } from './optim/index.js';
export {
  loadImdb,
  DataError,
  type ImdbData,
  type ImdbSplit,
  type LoadImdbOptions,
} from './data/index.js';
export { Vocabulary } from './text/vocabulary.js';
export { tokenize } from './text/tokenize.js';
export { padSequences } from './text/pad.js';
export { saveModel, loadModel, ModelFileError, isEnsembleDir } from './io/model-dir.js';
export { saveEnsemble, loadEnsemble, loadClassifier, ENSEMBLE_FILE } from './io/ensemble-dir.js';
export { EnsembleClassifier } from './classify/ensemble.js';
export {
  saveCheckpoint,
  readCheckpoint,
  restoreCheckpoint,
  CHECKPOINT_FILE,
  type Checkpoint,
} from './io/checkpoint.js';
export { encodeSafetensors, decodeSafetensors, SafetensorsError } from './io/safetensors.js';
export { importKeras } from './interop/keras/file.js';
export { importKerasBytes, type ImportedKeras } from './interop/keras/import.js';
export {
  buildSentimentModel,
  ARCHITECTURES,
  type Architecture,
} from './experiments/architectures.js';
export {
  TextClassifier,
  TextClassifier as SentimentClassifier,
  type TextPrediction,
  type Classifier,
} from './classify/text-classifier.js';
export {
  TASKS,
  LABELS_FILE,
  makeLabelSet,
  inferTask,
  outputSpec,
  type Task,
  type LabelSet,
  type ClassScore,
} from './classify/task.js';
export {
  TextVectorization,
  textTokens,
  DEFAULT_VECTORIZATION,
  type TextVectorizationConfig,
} from './text/text-vectorization.js';
export {
  textVectorizer,
  imdbVectorizer,
  VECTORIZER_FILE,
  VOCAB_FILE,
  type Vectorizer,
} from './text/vectorizer.js';
export {
  loadTextDataset,
  type TextDataset,
  type TextDatasetOptions,
  type LabelledSplit,
} from './data/text-dataset.js';
export { detectFormat, rowSource, DATA_FORMATS, type DataFormat } from './data/formats.js';
export type { TextRow, BadRow, RowItem, RowSource } from './data/rows.js';
export {
  classificationReport,
  formatClassificationReport,
  type ClassificationReport,
  type ClassMetrics,
} from './metrics/classification-report.js';
export { runTraining, type TrainRunOptions } from './experiments/train-run.js';
export { renderReport, type ReportData } from './experiments/report.js';
export { writeRunReport } from './experiments/report-files.js';
export {
  runComparison,
  type CompareOptions,
  type CompareResult,
  type CompareRun,
} from './experiments/compare.js';
export { accuracyByLength, type LengthBucket } from './experiments/compare-buckets.js';
export { gradientFlow, type GradientFlow } from './experiments/gradients.js';
export {
  runGradientStudy,
  type GradientStudy,
  type GradientStudyOptions,
} from './experiments/gradients-study.js';
export { writeGradientFiles } from './experiments/gradients-report.js';
export * from './explain/index.js';
