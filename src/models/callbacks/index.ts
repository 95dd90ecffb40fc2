export { CSVLogger, type CSVLoggerOptions } from './csv-logger.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { LearningRateScheduler, type Schedule } from './learning-rate-scheduler.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.js';
export type { MonitorMode } from './monitor.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduce-lr-on-plateau.js';
