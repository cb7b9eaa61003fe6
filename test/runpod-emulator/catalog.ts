/** The emulator's catalog: a few real GPU types, CPU flavours and data centres, shaped per the spec. */

export const GPU_TYPES = [
  gpu('NVIDIA L40S', 'L40S', 'ADA_48_PRO', 48, 0.86, 0.79, 0.00053),
  gpu('NVIDIA L40', 'L40', 'ADA_48_PRO', 48, 0.99, 0.69, 0.00053),
  gpu('NVIDIA RTX 6000 Ada Generation', 'RTX 6000 Ada', 'ADA_48_PRO', 48, 0.77, 0.74, 0.00053),
  gpu('NVIDIA GeForce RTX 4090', 'RTX 4090', 'ADA_24', 24, 0.69, 0.34, 0.00031),
  gpu('NVIDIA A100 80GB PCIe', 'A100 PCIe', 'AMPERE_80', 80, 1.64, 1.19, 0.00076),
  gpu('NVIDIA H100 80GB HBM3', 'H100 SXM', 'HOPPER_141', 80, 2.69, 2.39, 0.00116),
];

function gpu(id: string, name: string, pool: string, memory: number, secure: number, community: number, serverless: number) {
  return { id, name, pool, manufacturer: 'NVIDIA', memory, secure: true, community: true, price: { secure, community, serverless }, maxCount: { secure: 8, community: 8 } };
}

export const CPU_TYPES = [
  { id: 'cpu3c', name: 'Compute-Optimized', group: 'Gen 3', vcpu: { min: 2, max: 32 }, ramGbPerVcpu: 2, price: { securePerVcpu: 0.03, serverlessPerVcpu: 0.025 } },
  { id: 'cpu5c', name: 'Compute-Optimized', group: 'Gen 5', vcpu: { min: 2, max: 32 }, ramGbPerVcpu: 2, price: { securePerVcpu: 0.04, serverlessPerVcpu: 0.03 } },
  {
    id: 'cpu5g',
    name: 'General Purpose',
    group: 'Gen 5',
    vcpu: { min: 2, max: 32 },
    ramGbPerVcpu: 4,
    price: { securePerVcpu: 0.05, serverlessPerVcpu: 0.04 },
  },
];

export const DATA_CENTERS = [
  dc('EU-RO-1', 'Europe Romania 1', 'EUROPE', ['STANDARD', 'HIGH_PERFORMANCE']),
  dc('EU-CZ-1', 'Europe Czechia 1', 'EUROPE', ['STANDARD']),
  dc('EUR-IS-1', 'Europe Iceland 1', 'EUROPE', ['STANDARD', 'HIGH_PERFORMANCE']),
  dc('US-KS-2', 'US Kansas 2', 'NORTH_AMERICA', ['STANDARD', 'HIGH_PERFORMANCE']),
  dc('US-TX-3', 'US Texas 3', 'NORTH_AMERICA', ['STANDARD']),
];

function dc(id: string, name: string, region: string, networkVolumeTypes: string[]) {
  return { id, name, region, networkVolumeTypes, compliance: ['GDPR', 'SOC_2_TYPE_2'], globalNetwork: true };
}
