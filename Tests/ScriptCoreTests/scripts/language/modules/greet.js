export default function greet(name) { return `hi ${name} (${greet.name})` }
export const viaName = () => greet('inner')
