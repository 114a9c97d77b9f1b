// PLACEHOLDER owned by the lead engineer; replaced by the real handler in this session.
export const handler = async (): Promise<never> => {
  throw new Error('not built yet');
};
