// Sentences many commands say, written once: the same situation reads the same everywhere.

/** No campaign yet (or none the asker's unit takes part in). */
export const NO_CAMPAIGN = '还没有创建竞赛年度，请管理员先发送“/campaign add 年度”，例如：/campaign add 2027';

/** A group not bound to a unit, where `what` needs one ("无法催交"). */
export const unboundGroup = (what: string) => `本群还没有绑定单位，${what}。请管理员先发送“/bind 单位名称”。`;
