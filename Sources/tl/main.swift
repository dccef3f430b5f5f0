import ScriptCore
print("tl: under construction")
