/** The autoscaling room's I/O adapters (composition roots only). */
export * from './http-metric-reader.js';
