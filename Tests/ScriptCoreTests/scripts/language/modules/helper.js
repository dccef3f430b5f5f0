import { square } from './mathlib'
export const fourth = x => square(square(x))
export default { name: 'helper' }
